"""Stand-in Q&A tables with the field names `alliances.sources` expects, for tests and the bench
while community's models are not in this branch. Registered in their own Apps registry, created with
the schema editor (inside the test transaction on PostgreSQL, so they vanish afterwards)."""

from django.apps.registry import Apps
from django.db import connection, models

from alliances.sources import AnswerSource, CommunitySources, InvitationSource, QuestionSource

standin_apps = Apps()


class SQuestion(models.Model):
    title = models.CharField(max_length=80, default="")
    domain = models.CharField(max_length=20, db_index=True)
    org_path = models.CharField(max_length=255, default="")
    created_at = models.DateTimeField(db_index=True)
    deadline = models.DateTimeField(null=True)

    class Meta:
        app_label = "alliances_standin"
        apps = standin_apps
        db_table = "standin_question"

    def __str__(self):
        return self.title


class SAnswer(models.Model):
    question = models.ForeignKey(SQuestion, on_delete=models.CASCADE, db_constraint=False)
    author_id = models.IntegerField()
    created_at = models.DateTimeField()
    accepted = models.BooleanField(default=False)
    rating = models.SmallIntegerField(null=True)
    # Denormalised copies a Q&A app may store when the answer is written (see AnswerSource).
    response_seconds = models.FloatField(null=True)
    on_time = models.BooleanField(null=True)

    class Meta:
        app_label = "alliances_standin"
        apps = standin_apps
        db_table = "standin_answer"
        # author_id is indexed like the ForeignKey to the user it stands in for.
        indexes = [models.Index(fields=["created_at"], name="standin_answer_created"),
                   models.Index(fields=["author_id"], name="standin_answer_author")]

    def __str__(self):
        return f"answer {self.pk}"


class SInvitation(models.Model):
    question = models.ForeignKey(SQuestion, on_delete=models.CASCADE, db_constraint=False)
    invitee_id = models.IntegerField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, default="pending")

    class Meta:
        app_label = "alliances_standin"
        apps = standin_apps
        db_table = "standin_invitation"
        indexes = [models.Index(fields=["question", "invitee_id"], name="standin_inv_q_invitee"),
                   models.Index(fields=["invitee_id"], name="standin_inv_invitee")]

    def __str__(self):
        return f"invitation {self.pk}"


MODELS = (SQuestion, SAnswer, SInvitation)


def create_tables():
    with connection.schema_editor() as editor:
        for model in MODELS:
            editor.create_model(model)


def drop_tables():
    with connection.schema_editor() as editor:
        for model in reversed(MODELS):
            editor.delete_model(model)


def sources(denormalised: bool = False) -> CommunitySources:
    extra = dict(response_seconds="response_seconds", on_time="on_time") if denormalised else {}
    return CommunitySources(
        answers=AnswerSource(SAnswer.objects.all(), **extra),
        invitations=InvitationSource(SInvitation.objects.all()),
        questions=QuestionSource(SQuestion.objects.all(), org_path="org_path"),
    )
