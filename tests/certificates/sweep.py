from tests.certificates.factories import issue_for
from tests.security.sweeping import Case

SWEEP = {
    "certificates:download": Case(lambda w: {"code": issue_for(w.school_a, w.officer).code}),
}

EXEMPT = {
    "certificates:verify": "public by design: anyone may check a certificate by its code (tests/certificates)",
}
