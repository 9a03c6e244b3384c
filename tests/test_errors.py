import json

from service.errors import JiansuoError, QueryError


def test_a_message_quoting_a_lone_surrogate_can_be_encoded():
    error = QueryError('field sentences must be a whole number, got "\ud800"', code="bad_sentences")
    assert error.message == 'field sentences must be a whole number, got "\\ud800"'
    assert str(error).encode("utf-8") and json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")
    assert JiansuoError("医保 \U0001f600").message == "医保 \U0001f600"  # a whole pair is text, kept
