"""The logbook on disk: load and validate studies, write trials atomically."""

from reportgen.store.layout import spec_path, study_folder, trial_path, trials_folder
from reportgen.store.load import (
    Logbook,
    StudyRecords,
    load_logbook,
    load_spec,
    load_study,
    load_trial,
)
from reportgen.store.write import dumps_record, existing_trial_ids, write_spec, write_trial

__all__ = [
    "Logbook",
    "StudyRecords",
    "dumps_record",
    "existing_trial_ids",
    "load_logbook",
    "load_spec",
    "load_study",
    "load_trial",
    "spec_path",
    "study_folder",
    "trial_path",
    "trials_folder",
    "write_spec",
    "write_trial",
]
