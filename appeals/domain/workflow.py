"""The appeal handling workflow of attachment 4 (诉求处理机制), in one place: states, transitions and
who may do each. Pure data and functions, no database; `appeals.services.transition` applies them.

A4 三、处置步骤:
  1. 开发运维组 analyses and verifies, gives an initial response           -> `verify`
  2. 开发运维组 fills the form with its proposed handling, sends it on       -> `propose`
  3. 综合协调组 reviews and names the lead department or city               -> `assign`
     (二.3 一般问题对口交办，疑难问题协同联办: co-handlers for hard cases)
  4. the lead plans and acts, gives stage feedback; ops tells the user     -> `accept`, `feedback`, `relay`
  5. the lead fills the result, sends it to the League leader;              -> `record_result`, `instruct`
     the form goes back to the coordination group to be archived           -> `deliver_result`, `return_visit`, `archive`
Plus the turns a real office needs: send-backs for rework (`send_back_proposal`, `hand_back`,
`send_back_result`), the youth's return visit (回访) and withdrawal with a reason (`withdraw`).
"""

from dataclasses import dataclass, field


class State:
    RECEIVED = "received"  # 已接收
    VERIFIED = "verified"  # 已核实（已初步回应）
    PROPOSED = "proposed"  # 已拟办，待综合协调组审核
    ASSIGNED = "assigned"  # 已交办，待牵头单位制定方案
    IN_PROGRESS = "in_progress"  # 办理中
    RESULT_RECORDED = "result_recorded"  # 已反馈结果，待领导批示
    INSTRUCTED = "instructed"  # 领导已批示，待告知用户
    AWAITING_VISIT = "awaiting_visit"  # 已告知结果，待回访
    VISITED = "visited"  # 已回访，待存档
    ARCHIVED = "archived"  # 已存档
    WITHDRAWN = "withdrawn"  # 已撤回

    ALL = (RECEIVED, VERIFIED, PROPOSED, ASSIGNED, IN_PROGRESS, RESULT_RECORDED, INSTRUCTED,
           AWAITING_VISIT, VISITED, ARCHIVED, WITHDRAWN)
    CLOSED = frozenset({ARCHIVED, WITHDRAWN})
    OPEN = frozenset(ALL) - CLOSED


STATE_LABELS = {
    State.RECEIVED: ("已接收", "Received"),
    State.VERIFIED: ("已核实", "Verified"),
    State.PROPOSED: ("待审核交办", "Awaiting review"),
    State.ASSIGNED: ("已交办", "Assigned"),
    State.IN_PROGRESS: ("办理中", "In progress"),
    State.RESULT_RECORDED: ("待领导批示", "Awaiting instruction"),
    State.INSTRUCTED: ("领导已批示", "Instructed"),
    State.AWAITING_VISIT: ("待回访", "Awaiting return visit"),
    State.VISITED: ("已回访", "Visited"),
    State.ARCHIVED: ("已存档", "Archived"),
    State.WITHDRAWN: ("已撤回", "Withdrawn"),
}

# What the youth sees of each state (no internal detail).
PUBLIC_STATE_LABELS = {
    State.RECEIVED: "已收到，正在核实",
    State.VERIFIED: "已核实，正在研究办理意见",
    State.PROPOSED: "正在研究办理意见",
    State.ASSIGNED: "已交有关部门办理",
    State.IN_PROGRESS: "办理中",
    State.RESULT_RECORDED: "办理完毕，正在审核结果",
    State.INSTRUCTED: "办理完毕，正在审核结果",
    State.AWAITING_VISIT: "已办结，请评价",
    State.VISITED: "已办结",
    State.ARCHIVED: "已办结",
    State.WITHDRAWN: "已撤回",
}


class Role:
    """Who acts. OPS/COORDINATION/HANDLER/LEADER are `AppealHandler` memberships at an organisation;
    REQUESTER is the youth who raised the appeal (individual cases they asked for)."""

    OPS = "ops"  # 开发运维组
    COORDINATION = "coordination"  # 综合协调组
    HANDLER = "handler"  # 牵头/协办部门或地市的承办人
    LEADER = "leader"  # 领导
    REQUESTER = "requester"  # 提出诉求的青年

    STAFF = (OPS, COORDINATION, HANDLER, LEADER)


ROLE_LABELS = {
    Role.OPS: ("开发运维组", "Operations group"),
    Role.COORDINATION: ("综合协调组", "Coordination group"),
    Role.HANDLER: ("承办部门/地市", "Handling department or city"),
    Role.LEADER: ("领导", "Leader"),
    Role.REQUESTER: ("提出诉求的青年", "Requester"),
}


class Scope:
    """Which organisation of the record a role's membership must cover."""

    OWNER = "owner"  # the organisation running the mechanism for this record (province or a city)
    LEAD = "lead"  # the lead department or city named by the coordination group
    LEAD_OR_CO = "lead_or_co"  # the lead or any co-handler


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str | None  # None: stays in the same state (feedback, relay)
    roles: frozenset  # any of these
    scope: str = Scope.OWNER
    comment_required: bool = True
    # Form fields that this step fills (and must not be empty).
    fills: tuple = ()
    public: bool = False  # the comment is shown to the youth (initial response, progress, result)
    counts_handoff: bool = False  # a hand-on; 3 escalate the record a level
    label: tuple = ("", "")
    extra: dict = field(default_factory=dict)


S = State
R = Role

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("verify", frozenset({S.RECEIVED}), S.VERIFIED, frozenset({R.OPS}), public=True,
                   label=("核实并初步回应", "Verify and respond")),
        Transition("propose", frozenset({S.VERIFIED}), S.PROPOSED, frozenset({R.OPS}), comment_required=False,
                   fills=("details_and_proposal",), label=("填写拟办意见报综合协调组", "File proposal")),
        Transition("send_back_proposal", frozenset({S.PROPOSED}), S.VERIFIED, frozenset({R.COORDINATION}),
                   label=("退回开发运维组修改", "Send back for rework")),
        Transition("assign", frozenset({S.PROPOSED}), S.ASSIGNED, frozenset({R.COORDINATION}), comment_required=False,
                   fills=("coordination_opinion",), label=("审核并确定牵头单位", "Review and assign")),
        Transition("accept", frozenset({S.ASSIGNED}), S.IN_PROGRESS, frozenset({R.HANDLER}), scope=Scope.LEAD,
                   label=("制定处理方案", "Plan the handling")),
        Transition("hand_back", frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.PROPOSED, frozenset({R.HANDLER}),
                   scope=Scope.LEAD, counts_handoff=True, label=("退回综合协调组重新交办", "Hand back for reassignment")),
        Transition("feedback", frozenset({S.IN_PROGRESS}), None, frozenset({R.HANDLER}), scope=Scope.LEAD_OR_CO,
                   label=("阶段性反馈", "Stage feedback")),
        Transition("relay", frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RESULT_RECORDED, S.INSTRUCTED}), None,
                   frozenset({R.OPS}), public=True, label=("告知用户进展", "Tell the user the progress")),
        Transition("record_result", frozenset({S.IN_PROGRESS}), S.RESULT_RECORDED, frozenset({R.HANDLER}),
                   scope=Scope.LEAD, comment_required=False, fills=("result_feedback",),
                   label=("填写办理结果反馈", "Record the result")),
        Transition("send_back_result", frozenset({S.RESULT_RECORDED}), S.IN_PROGRESS, frozenset({R.LEADER}),
                   label=("退回牵头单位继续办理", "Send the result back")),
        Transition("instruct", frozenset({S.RESULT_RECORDED}), S.INSTRUCTED, frozenset({R.LEADER}),
                   comment_required=False, fills=("leader_instruction",), label=("领导批示", "Leader's instruction")),
        Transition("deliver_result", frozenset({S.INSTRUCTED}), S.AWAITING_VISIT, frozenset({R.OPS}), public=True,
                   label=("向用户反馈办理结果", "Tell the user the result")),
        # The youth rates (or ops records a telephone return visit); "not satisfied" goes back to review.
        Transition("return_visit", frozenset({S.AWAITING_VISIT}), S.VISITED, frozenset({R.REQUESTER, R.OPS}),
                   comment_required=False, label=("回访评价", "Return visit")),
        Transition("archive", frozenset({S.VISITED}), S.ARCHIVED, frozenset({R.COORDINATION}), comment_required=False,
                   label=("存档", "Archive")),
        Transition("withdraw", frozenset({S.RECEIVED, S.VERIFIED, S.PROPOSED, S.ASSIGNED, S.IN_PROGRESS}),
                   S.WITHDRAWN, frozenset({R.REQUESTER, R.OPS}), label=("撤回", "Withdraw")),
    ]
}

HANDOFFS_BEFORE_ESCALATION = 3


class Rating:
    SATISFIED = "satisfied"
    PARTLY = "partly"
    NOT_SATISFIED = "not_satisfied"
    CHOICES = ((SATISFIED, "满意"), (PARTLY, "基本满意"), (NOT_SATISFIED, "不满意"))
    VALUES = (SATISFIED, PARTLY, NOT_SATISFIED)


def target_state(name: str, state: str, *, rating: str | None = None) -> str:
    """Where `name` leads from `state` (the return visit forks on the rating)."""
    t = TRANSITIONS[name]
    if name == "return_visit" and rating == Rating.NOT_SATISFIED:
        return S.PROPOSED
    return t.target or state


def allowed_from(state: str) -> list[str]:
    return [n for n, t in TRANSITIONS.items() if state in t.sources]


def available(state: str, roles: set[str]) -> list[str]:
    """The transitions a person holding `roles` (already scoped to this record) can take now."""
    return [n for n, t in TRANSITIONS.items() if state in t.sources and t.roles & roles]


def should_escalate(handoff_count: int) -> bool:
    return handoff_count > 0 and handoff_count % HANDOFFS_BEFORE_ESCALATION == 0
