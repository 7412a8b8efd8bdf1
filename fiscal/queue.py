"""The task queue backend: django-tasks' database backend (the queue is a table
of our own database, so a task commits or rolls back with the document that
asked for it), with the task row written by one prepared INSERT.

Every checkout enqueues the submission of its factura; django-tasks writes the
row with `objects.create`, whose query compilation cost about 1 ms a sale
(BENCHMARKS.md, checkout). The row holds exactly what django-tasks writes.
"""

from django.db import router
from django.db.models.signals import post_save, pre_save
from django_tasks_db import backend
from django_tasks_db.compat import TaskResultStatus, normalize_json, task_enqueued
from django_tasks_db.utils import normalize_uuid

from core.bulk import insert_given
from core.memo import remember
from core.sql import build


class DatabaseBackend(backend.DatabaseBackend):
    VALIDATED_MAX = 256

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self._validated: dict = {}  # the tasks checked, as keys

    def enqueue(self, task, args, kwargs):
        """django-tasks' own enqueue, with the TaskResult built once, from the
        task in hand (the row's `task_result` property builds a new one each
        time it is read, importing the task again by its path; enqueue read it
        twice). A checkout enqueues one task: this was 0.2 ms of it."""
        self.validate_task(task)
        row = self._task_to_db_task(task, args, kwargs)
        result = _result(row, task if task.backend == self.alias else None)
        task_enqueued.send(type(self), task_result=result)
        return result

    def validate_task(self, task):
        """django-tasks' checks, once per task: they read only the task's own
        fields (a frozen dataclass), and every checkout enqueues the same one."""
        try:
            if task in self._validated:
                return
        except TypeError:  # a task that cannot be hashed: checked every time
            super().validate_task(task)
            return
        super().validate_task(task)
        remember(self._validated, task, True, self.VALIDATED_MAX)

    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        row = build(
            DBTaskResult,
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        using = router.db_for_write(DBTaskResult)
        # What save() sends around its INSERT (django-tasks fills run_after
        # in a pre_save receiver).
        pre_save.send(DBTaskResult, instance=row, raw=False, using=using)
        insert_given(DBTaskResult, [row], using=using)
        post_save.send(DBTaskResult, instance=row, created=True, raw=False, using=using)
        return row


def _result(row, task):
    """`row.task_result`, with `task` (the task enqueued, when it names this
    backend) instead of the one the property imports again by its path: the
    same value (tests/fiscal/test_queue.py compares the two)."""
    if task is None:
        return row.task_result
    result = backend.TaskResult(
        db_result=row,
        task=task,
        id=normalize_uuid(row.id),
        status=TaskResultStatus[row.status],
        enqueued_at=row.enqueued_at,
        started_at=row.started_at,
        last_attempted_at=row.started_at,
        finished_at=row.finished_at,
        args=row.args_kwargs["args"],
        kwargs=row.args_kwargs["kwargs"],
        backend=row.backend_name,
        errors=[],
        worker_ids=row.worker_ids,
    )
    object.__setattr__(result, "_return_value", row.return_value)  # as the property
    return result
