"""Two admins acting on the same member at the same moment (updates are handled concurrently)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot import texts
from domain.enums import MemberState, Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from tests.harness import Posko

JsonDict = dict[str, Any]


async def add_admin(posko: Posko, fake: FakeTelegram, user_id: int) -> FakeUser:
    user = fake.add_user(user_id, f"Operator {user_id}")
    entry = RosterRow(user_id, Role.ADMIN, None, f"Operator {user_id}")
    await posko.services.members.save(entry, posko.clock(), None)
    return user


async def test_a_decision_while_notices_go_out_leaves_no_live_buttons(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    second = await add_admin(posko, fake, 1002)
    send = fake.api_sendMessage
    slow_network = asyncio.Event()

    async def slow_for_second(params: JsonDict) -> JsonDict:
        if int(params["chat_id"]) == second.id and "Permohonan" in str(params.get("text")):
            await slow_network.wait()
        result: JsonDict = await send(params)
        return result

    fake.api_sendMessage = slow_for_second  # type: ignore[method-assign]
    applicant = fake.add_user(3001, "Budi")
    await applicant.send("/daftar")
    await applicant.press("Kapolsek")
    await applicant.press("Muara Wahau")
    await applicant.send("AKP Budi")
    await applicant.send("Lewati")
    await applicant.share_contact("+628123")
    await applicant.press("✅ Kirim", wait=False)
    await fake.wait_until(lambda: any("Permohonan" in m.text for m in admin.messages))
    request = next(m for m in admin.messages if "Permohonan" in m.text)
    await admin.press(texts.APPROVE_BUTTON, request, wait=False)  # at once, before admin 2
    await asyncio.sleep(0.2)
    slow_network.set()
    await fake.wait_until(lambda: any("Permohonan" in m.text for m in second.messages))
    await fake.wait_until(
        lambda: all("Disetujui" in m.text for m in (request, second.messages[-1]))
    )
    await posko.settle()
    for notice in (request, second.messages[-1]):
        assert notice.buttons() == [], "no notice keeps buttons after the decision"
    assert await posko.services.db.fetchall("SELECT * FROM admin_notices") == []


async def test_opposite_changes_leave_menu_and_messages_as_the_database_says(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    second = await add_admin(posko, fake, 1002)
    officer = fake.add_user(2001, "Budi")
    entry = RosterRow(2001, Role.CAMAT, "Bengalon", "Budi")
    await posko.services.members.save(entry, posko.clock(), None)
    delete = fake.api_deleteMyCommands
    slow_network = asyncio.Event()

    async def slow_delete(params: JsonDict) -> bool:
        await slow_network.wait()
        return await delete(params)

    fake.api_deleteMyCommands = slow_delete  # type: ignore[method-assign]
    await admin.send("/nonaktifkan 2001", wait=False)
    await fake.wait_until(lambda: len(officer.messages) == 1)
    await second.send("/aktifkan 2001", wait=False)
    await asyncio.sleep(0.2)
    slow_network.set()
    await fake.wait_until(lambda: len(officer.messages) == 2)
    await posko.settle()
    member = await posko.services.members.get(2001)
    assert member is not None
    assert member.state is MemberState.ACTIVE
    assert officer.texts() == [texts.DEACTIVATED_FOR_MEMBER, texts.ACTIVATED_FOR_MEMBER]
    scope = json.dumps({"chat_id": 2001, "type": "chat"}, sort_keys=True)
    assert fake.commands.get(scope), "the active officer keeps a command menu"
