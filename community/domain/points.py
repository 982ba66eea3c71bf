"""Points and levels [A1.5]: every rule in one place. Levels come from
`accounts.models.level_for_points` (thresholds 0, 50, 200, 500, 1000, 2000, 5000, 10000)."""

ASK = 1  # asking a question
ANSWER = 2  # posting an answer (once per question)
ANSWER_ON_TIME = 10  # the clock-stopping answer, before the deadline
ANSWER_ACCEPTED = 15  # the asker accepts your answer
LIKE_RECEIVED = 2  # someone likes your answer or question
SOLVED = 5  # the asker marks the question solved; the accepted/first answerer gets this

RULES = {
    "ask": ASK,
    "answer": ANSWER,
    "on_time": ANSWER_ON_TIME,
    "accepted": ANSWER_ACCEPTED,
    "like": LIKE_RECEIVED,
    "solved": SOLVED,
}


def points_for(reason: str) -> int:
    return RULES[reason]
