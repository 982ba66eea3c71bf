"""Scale data for benchmarks: `manage.py create_random_data --questions 1000000` (≈3 answers each).

Rows are built as plain tuples and streamed with PostgreSQL COPY (bulk_create elsewhere) in large batches (no services, no
notifications), with consistent counters, stored deadlines (the real deadline function) and hot
scores. Old open questions are marked as already reminded and escalated, as the sweep would have
left them, so a sweep afterwards only has the recent due ones to do — the steady state."""

import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from community.domain import deadlines, ranking
from community.models import Answer, AnswerRole, Question, QuestionStatus, QuestionTag, TaggedQuestion
from core.domains import ServiceDomain
from organizations.models import Organization

WORDS = ["实习", "合同", "创业", "补贴", "租房", "考研", "心理", "团员", "志愿", "社保", "就业", "婚恋", "维权", "培训",
         "贷款", "青年之家", "毕业生", "工资", "押金", "失眠"]


class Command(BaseCommand):
    help = "Generate many random questions and answers fast (bulk inserts) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=10000)
        parser.add_argument("--answers-per-question", type=float, default=3.0, help="average")
        parser.add_argument("--open-ratio", type=float, default=0.2, help="share of questions still open")
        parser.add_argument("--days", type=int, default=365, help="spread asked_at over this many past days")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--users", type=int, default=0, help="askers to create (default questions/50, ≥10)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-copy", action="store_true", help="use bulk_create also on PostgreSQL")

    def handle(self, *args, **opts):
        n = opts["questions"]
        if n < 1:
            raise CommandError("--questions must be positive")
        rng = random.Random(opts["seed"])
        orgs = list(Organization.objects.filter(is_active=True).values_list("pk", flat=True))
        if not orgs:
            raise CommandError("No organisations: run load_demo_data (or migrate and create the tree) first")
        started = time.monotonic()
        users = self._users(max(10, opts["users"] or n // 50), opts["seed"])
        tags = list(QuestionTag.objects.values_list("pk", flat=True))
        now = timezone.now()
        domains = ServiceDomain.values
        batch = opts["batch"]
        made_q = made_a = 0
        span = opts["days"] * 86400
        use_copy = connection.vendor == "postgresql" and not opts["no_copy"]
        for start in range(0, n, batch):
            size = min(batch, n - start)
            qrows, arows, trows = [], [], []
            for idx in range(size):
                asked = now - timedelta(seconds=rng.random() * span)
                dl = deadlines.answer_deadline(asked, {})
                is_open = rng.random() < opts["open_ratio"]
                k = 0 if is_open and rng.random() < 0.7 else int(rng.expovariate(1 / opts["answers_per_question"]))
                if not is_open:
                    k = max(k, 1)
                likes, views = rng.randint(0, 30), rng.randint(0, 2000)
                first = asked + timedelta(minutes=rng.randint(10, 900)) if not is_open else None
                org = rng.choice(orgs)
                status = QuestionStatus.OPEN if is_open else (
                    QuestionStatus.CLOSED if rng.random() < 0.2 else QuestionStatus.ANSWERED)
                qrows.append(dict(
                    asker_id=rng.choice(users), title=f"{rng.choice(WORDS)}{rng.choice(WORDS)}相关问题咨询 #{start + idx}",
                    body="随机生成的问题内容：" + "，".join(rng.sample(WORDS, 6)), domain=rng.choice(domains),
                    is_anonymous=False, organization_id=org, origin_organization_id=org, transfer_count=0,
                    routing_locked=False, target_kind="", status=status, asked_at=asked, clock_started_at=dl.start,
                    remind_at=dl.remind, deadline_at=dl.due, deadline_hours=dl.hours, first_answered_at=first,
                    answered_on_time=(first <= dl.due) if first else None,
                    reminded_at=dl.remind if is_open and dl.remind <= now else None,
                    escalated_at=dl.due if is_open and dl.due <= now else None, reopen_count=0, outcome="",
                    answer_count=k, comment_count=0, like_count=likes, follow_count=0, view_count=views,
                    hot_score=ranking.hot_score(asked_at=asked, answers=k, likes=likes, views=views),
                    is_featured=False, last_activity_at=asked, updated_at=now,
                ))
                for j in range(k):
                    arows.append(dict(
                        question_id=idx, author_id=rng.choice(users), role=AnswerRole.STAFF if j == 0 else AnswerRole.PEER,
                        body="随机生成的回答：" + "，".join(rng.sample(WORDS, 8)), source="", is_copied=False,
                        stops_clock=j == 0 and first is not None, like_count=rng.randint(0, 10), comment_count=0,
                        is_removed=False, created_at=asked + timedelta(minutes=30 * (j + 1))))
                if tags and rng.random() < 0.3:
                    trows.append(dict(content_object_id=idx, tag_id=rng.choice(tags)))
            with transaction.atomic():
                if use_copy:
                    self._copy(qrows, arows, trows)
                else:
                    objs = Question.objects.bulk_create([Question(**r) for r in qrows], batch_size=batch)
                    for r in arows + trows:
                        key = "question_id" if "question_id" in r else "content_object_id"
                        r[key] = objs[r[key]].pk
                    Answer.objects.bulk_create([Answer(**r) for r in arows], batch_size=batch)
                    TaggedQuestion.objects.bulk_create([TaggedQuestion(**r) for r in trows], batch_size=batch,
                                                       ignore_conflicts=True)
            made_q += size
            made_a += len(arows)
            if (start // batch) % 20 == 0:
                self.stdout.write(f"  {made_q}/{n} questions, {made_a} answers, {time.monotonic() - started:.0f}s")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Created {made_q} questions and {made_a} answers in {elapsed:.1f}s ({made_q / elapsed:.0f} questions/s)"))

    @staticmethod
    def _copy(qrows, arows, trows):
        """PostgreSQL COPY: reserve a block of question ids from the sequence, then stream rows."""
        with connection.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('community_question', 'id')")
            seq = cur.fetchone()[0]
            cur.execute("SELECT nextval(%s)", [seq])
            first = cur.fetchone()[0]
            cur.execute("SELECT setval(%s, %s)", [seq, first + len(qrows) - 1])
            raw = cur.cursor  # the psycopg cursor
            for table, rows, ref in (("community_question", qrows, None), ("community_answer", arows, "question_id"),
                                     ("community_taggedquestion", trows, "content_object_id")):
                if not rows:
                    continue
                cols = list(rows[0])
                with raw.copy(f"COPY {table} ({', '.join(cols)}{', id' if ref is None else ''}) FROM STDIN") as copy:
                    for i, r in enumerate(rows):
                        if ref is not None:
                            r[ref] = first + r[ref]
                            copy.write_row([r[c] for c in cols])
                        else:
                            copy.write_row([*(r[c] for c in cols), first + i])

    def _users(self, count: int, seed: int) -> list[int]:
        User = get_user_model()
        prefix = f"rnd{seed}_"
        existing = list(User.objects.filter(username__startswith=prefix).values_list("pk", flat=True)[:count])
        missing = count - len(existing)
        if missing > 0:
            start = len(existing)
            new = [User(username=f"{prefix}{start + i}", display_name=f"随机用户{start + i}", password="!")
                   for i in range(missing)]
            User.objects.bulk_create(new, batch_size=5000)
            existing = list(User.objects.filter(username__startswith=prefix).values_list("pk", flat=True)[:count])
        return existing
