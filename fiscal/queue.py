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
from django_tasks_db.compat import normalize_json, task_enqueued

from core.bulk import insert_given
from core.sql import build


class DatabaseBackend(backend.DatabaseBackend):
    def enqueue(self, task, args, kwargs):
        """django-tasks' own enqueue, with the row's TaskResult built once (its
        `task_result` property builds a new one each time it is read, and
        enqueue read it twice)."""
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result

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
