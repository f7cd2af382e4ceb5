from engine.replies import is_automatic


def test_a_person_s_reply():
    assert not is_automatic({"From": "compta@client.example", "Subject": "Re: payment reminder"})
    assert not is_automatic({"Auto-Submitted": "no"})
    assert not is_automatic({"X-Auto-Response-Suppress": "All"})
    assert not is_automatic({})
    assert not is_automatic(None)


def test_out_of_office_and_robots():
    assert is_automatic({"Auto-Submitted": "auto-replied"})
    assert is_automatic({"auto-submitted": "Auto-Generated"})
    assert is_automatic({"X-Autoreply": "yes"})
    assert is_automatic({"X-Autorespond": ""})
    assert is_automatic({"Precedence": "auto_reply"})
    assert is_automatic({"Precedence": "bulk"})
    assert not is_automatic({"Precedence": "first-class"})
