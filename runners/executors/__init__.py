"""Where trial groups train: ``local`` (this process, every local device) or ``ray`` (a task per
group on a Ray cluster; records come back to the driver, which alone writes them)."""

EXECUTORS = ("local", "ray")
