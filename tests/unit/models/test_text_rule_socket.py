"""The chat socket's frames follow the models' text rule: the context id a frame names
reaches the store with NUL replaced, as every HTTP path id does."""

from __future__ import annotations

import pytest

from my_flow_api.models.chat_socket import FrameBody


@pytest.mark.unit
def test_a_socket_frames_context_id_gets_the_text_rule() -> None:
    assert FrameBody(context_id="a\x00b").context_id == "a\ufffdb"
