"""fiscal.queue.DatabaseBackend writes the row django-tasks' own backend writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db import DatabaseBackend as TasksBackend
from django_tasks_db.models import DBTaskResult

from fiscal.queue import DatabaseBackend
from fiscal.tasks import edoc_submit_task

pytestmark = pytest.mark.django_db
COMPARED = [
    f.attname
    for f in DBTaskResult._meta.concrete_fields
    if f.attname not in ("id", "enqueued_at")
]


def _enqueue(backend_class):
    backend = backend_class(alias="default", params={})
    result = backend.enqueue(edoc_submit_task, (41,), {"business_id": 7})
    return DBTaskResult.objects.get(id=result.id)


def test_the_task_row_is_the_one_django_tasks_writes():
    ours, theirs = _enqueue(DatabaseBackend), _enqueue(TasksBackend)
    assert ours.id != theirs.id
    assert [getattr(ours, f) for f in COMPARED] == [
        getattr(theirs, f) for f in COMPARED
    ]
    assert ours.args_kwargs == {"args": [41], "kwargs": {"business_id": 7}}
    assert ours.enqueued_at is not None
    assert ours.task_result.status == theirs.task_result.status == "READY"


def test_the_task_row_is_one_insert():
    backend = DatabaseBackend(alias="default", params={})
    with CaptureQueriesContext(connection) as queries:
        backend.enqueue(edoc_submit_task, (1,), {"business_id": 1})
    inserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == 1 and "RETURNING" not in inserts[0]


def test_enqueue_announces_the_result_it_returns():
    """django-tasks' task_enqueued signal goes out once, with the result
    enqueue returns (built once from the row)."""
    from django_tasks_db.compat import task_enqueued

    heard = []

    def listen(sender, task_result, **kwargs):
        heard.append(task_result)

    task_enqueued.connect(listen)
    try:
        result = DatabaseBackend(alias="default", params={}).enqueue(
            edoc_submit_task, (5,), {"business_id": 3}
        )
    finally:
        task_enqueued.disconnect(listen)
    assert heard == [result]
    assert (result.args, result.kwargs, result.status) == (
        [5],
        {"business_id": 3},
        "READY",
    )


@pytest.mark.parametrize("run_after", [None, "later"])
def test_the_result_is_the_one_the_rows_property_builds(run_after):
    """enqueue builds the TaskResult from the task in hand instead of reading
    `row.task_result` (which imports the task again): the same value, for a
    task due now and a deferred one."""
    from datetime import timedelta

    from django.utils import timezone

    task = edoc_submit_task
    if run_after:
        task = task.using(run_after=timezone.now() + timedelta(hours=1))
    result = DatabaseBackend(alias="default", params={}).enqueue(
        task, (9,), {"business_id": 2}
    )
    expected = result.db_result.task_result
    assert result == expected
    assert result.task == expected.task and result.task.run_after == task.run_after


def test_a_task_is_validated_once_and_an_invalid_one_every_time():
    import copy

    from django_tasks.exceptions import InvalidTaskError

    backend = DatabaseBackend(alias="default", params={})
    backend.enqueue(edoc_submit_task, (1,), {"business_id": 1})
    assert set(backend._validated) == {edoc_submit_task}
    bad = copy.copy(edoc_submit_task)
    object.__setattr__(bad, "priority", 1000)  # past using()'s own check
    for _ in range(2):
        with pytest.raises(InvalidTaskError):
            backend.enqueue(bad, (1,), {"business_id": 1})
    assert bad not in backend._validated
