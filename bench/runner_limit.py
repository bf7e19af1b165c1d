"""The hand-written limit of `bench/runner_throughput.py`: the same trials' training as one
``jit(vmap(lax.scan))`` with nothing the runner keeps besides (no curves, no gradient norms, no
divergence mask, no best parameters). Not a runner: a yardstick for it."""

from __future__ import annotations

import time


def limit_program(w, cfg, steps: int, batch: int, data):
    """The hand-written limit: ``jit(vmap(lax.scan))`` of the same trials' training steps.

    The same model, batches (drawn inside the scan from the same keys), Adam with the same
    schedule, and the evaluations the runner must make when evaluating once at the end: one
    validation pass and one test pass; nothing else (no curves, no gradient norms, no
    divergence mask, no best parameters). Returns a function of
    (learning rates, seeds) that blocks until the group is trained, and its compile seconds."""
    import jax
    import jax.numpy as jnp
    import optax

    from runners.schedules import learning_rate

    def one(lr, sd):
        params = w.init(jax.random.PRNGKey(sd[0]), cfg)
        tx = optax.adam(lambda c: learning_rate(c, lr, 0.0, 2, steps))
        key = jax.random.PRNGKey(sd[1])

        def loss_fn(p, x, y):
            logits = w.apply(p, x, cfg, 0.0, key, True)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        def step(carry, i):
            p, o = carry
            x, y = w.sample_batch(
                jax.random.fold_in(key, i), data["x_train"], data["y_train"], batch, cfg
            )
            loss, g = jax.value_and_grad(loss_fn)(p, x, y)
            u, o = tx.update(g, o, p)
            return (optax.apply_updates(p, u), o), loss

        (p, _), losses = jax.lax.scan(step, (params, tx.init(params)), jnp.arange(steps))

        def chunk(c):  # an evaluation set in the runner's chunks (memory stays bounded)
            x, y, weight = c
            logits = w.apply(p, x, cfg, 0.0, key, False)
            return (optax.softmax_cross_entropy_with_integer_labels(logits, y) * weight).sum()

        valid = jax.lax.map(chunk, (data["xv"], data["yv"], data["wv"])).sum()
        test = jax.lax.map(chunk, (data["xt"], data["yt"], data["wt"])).sum()
        return losses.mean(), valid, test

    def compiled(lrs, seeds):
        lr = jnp.asarray(lrs, jnp.float32)
        sd = jnp.asarray(seeds, jnp.uint32)
        t0 = time.perf_counter()
        fn = jax.jit(jax.vmap(one)).lower(lr, sd).compile()
        return (lambda: jax.block_until_ready(fn(lr, sd))), time.perf_counter() - t0

    return compiled
