"""A job kind for tests ("test.counting", registered by the `counting_kind` fixture): it reports
three progress steps, recording each in SEEN, then writes a note on its scenario. The job's
`after_step` parameter makes it misbehave at a step: cancel itself, raise ("boom"; "boom_once":
on its first run only), or run out of time."""

from sqlalchemy import update

from procure.extensions import db
from procure.jobs.models import Job
from procure.scenarios.models import Scenario

SEEN: list[int] = []


def counting(job, progress):
    for step in (10, 50, 90):
        progress(step, f"step {step}")
        SEEN.append(step)
        behaviour = job.params.get("after_step", {}).get(str(step))
        if behaviour == "cancel":
            db.session.execute(update(Job).where(Job.id == job.id).values(cancel_requested=True))
            db.session.commit()
        elif behaviour == "boom" or (behaviour == "boom_once" and job.attempts == 1):
            raise RuntimeError("the handler broke")
        elif behaviour == "out_of_time":
            progress.deadline = 0
    scenario = db.session.get(Scenario, job.subject_id)
    scenario.name = scenario.name + " (touched)"
    db.session.flush()
    return {"steps": len(SEEN)}
