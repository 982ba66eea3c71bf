"""How long a login attempt must wait, from the failures already counted (pure: no database, no clock).

Soft lockout (OWASP, ASVS 2.2.1): a few free failures, then each further attempt waits a delay that
doubles per failure up to a ceiling, and never more than `hourly_cap` failures an hour are checked.
Nothing is locked for longer than `max_delay` after the last failure, so guessing at someone else's
account cannot shut its owner out for long (and a browser the owner logged in from is not subject to
the account's count at all: accounts/security.py).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    free: int  # failures within the window before any delay
    base_delay: int  # seconds to wait after the first failure beyond `free`
    max_delay: int  # ceiling of the doubling delay, seconds
    hourly_cap: int = 100  # ASVS 2.2.1: at most this many failures an hour are ever checked

    def delay_after(self, failures: int) -> int:
        """Seconds an attempt must wait after the last of `failures` failures (0 while still free)."""
        if failures < self.free:
            return 0
        return min(self.base_delay * 2 ** min(failures - self.free, 20), self.max_delay)


# One account (username and mobile number count as one): 5 free, then 15 s, 30 s, … up to 15 minutes.
ACCOUNT = Policy(free=5, base_delay=15, max_delay=15 * 60)
# One client address, all accounts together (a school behind one NAT shares it): 20 free.
ADDRESS = Policy(free=20, base_delay=15, max_delay=15 * 60)
# One browser the account's owner logged in from (device cookie): the owner's own typos only.
DEVICE = Policy(free=5, base_delay=15, max_delay=15 * 60)


def retry_after(policy: Policy, failures: list[datetime], now: datetime) -> int:
    """Seconds until an attempt is allowed, given the failure times (any order) counted for one key.
    Only failures within the last hour count. 0 = allowed now."""
    recent = sorted(t for t in failures if now - t < WINDOW)
    if not recent:
        return 0
    waits = [policy.delay_after(len(recent)) - int((now - recent[-1]).total_seconds())]
    if len(recent) >= policy.hourly_cap:
        # The oldest failures must leave the window before one more is checked.
        waits.append(int((recent[len(recent) - policy.hourly_cap] + WINDOW - now).total_seconds()) + 1)
    return max(0, *waits)
