"""A consent form posted without (or with a forged) authorisation request is a 400 page, not a 500."""

import pytest


@pytest.mark.parametrize("data", [{}, {"client_id": "nobody", "redirect_uri": "http://127.0.0.1:9/cb",
                                       "response_type": "code", "scope": "openid", "allow": "Authorize"}])
def test_consent_post_without_a_valid_request_is_refused(client_for, youth, data):
    r = client_for(youth).post("/oauth/authorize/", data)
    assert r.status_code == 400
    assert "授权请求无效" in r.content.decode()
