"""The fake Bot API must reject what Telegram rejects, or tests would hide field bugs."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
)
from telegram.error import BadRequest, Forbidden, RetryAfter

from emulator import FakeTelegram
from emulator.html import HtmlParseError, parse_html
from emulator.server import FloodLimits


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(fake.token, base_url=f"{fake.url}/bot")
    async with client:
        yield client


@pytest.mark.parametrize(
    ("html", "plain"),
    [
        ("<b>tebal</b> &amp; <i>miring</i>", "tebal & miring"),
        ("&lt;b&gt; &quot;kutip&quot; &#128994; &#x1F7E2;", '<b> "kutip" 🟢 🟢'),
        ('<a href="https://example.org">tautan</a>', "tautan"),
        ("<code>/lapor aman</code>\n<pre>x</pre>", "/lapor aman\nx"),
        ('<span class="tg-spoiler">r</span><blockquote>q</blockquote>', "rq"),
    ],
)
def test_valid_html(html: str, plain: str) -> None:
    assert parse_html(html) == plain


@pytest.mark.parametrize(
    "html",
    ["<b>tidak ditutup", "a </b>", "<b><i>x</b></i>", "<div>x</div>", "a < b", "a & b",
     "&nbsp;", "<script>", "1 > 0"],
)  # fmt: skip
def test_invalid_html(html: str) -> None:
    with pytest.raises(HtmlParseError):
        parse_html(html)


@given(st.text())
def test_escaped_text_always_parses_back(text: str) -> None:
    from html import escape

    assert parse_html(escape(text)) == text


async def test_rejections_reach_ptb_as_telegram_errors(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.add_user(10)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(user.id, "<b>x", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(user.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(user.id, "<b></b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "halo")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(user.id, "tombol", reply_markup=too_long)
    fake.blocked.add(user.id)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(user.id, "halo")
    assert user.messages == []


async def test_voice_notes_videos_and_albums_as_telegram_takes_them(
    fake: FakeTelegram, bot: Bot
) -> None:
    user = fake.add_user(10)
    photo = fake.add_file(b"\xff\xd8", "photo")["file_id"]
    voice = fake.add_file(b"OggS", "voice")["file_id"]
    video = fake.add_file(b"mp4", "video")["file_id"]
    round_video = fake.add_file(b"mp4", "video_note")["file_id"]
    sent = await bot.send_voice(user.id, voice, caption="<b>#1</b>", parse_mode="HTML")
    assert sent.voice is not None
    assert sent.caption == "#1"
    assert (await bot.send_video(user.id, video)).video is not None
    note = await bot.send_video_note(user.id, round_video)
    assert note.video_note is not None
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_voice(user.id, photo)  # a photo is not a voice note
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_video(user.id, voice)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_voice(user.id, voice, caption="x" * 1025)
    album = await bot.send_media_group(
        user.id, [InputMediaPhoto(photo, caption="album"), InputMediaVideo(video)]
    )
    assert [bool(m.photo) for m in album] == [True, False]
    assert album[0].media_group_id is not None
    assert album[0].media_group_id == album[1].media_group_id
    assert (album[0].caption, album[1].caption) == ("album", None)
    document = fake.add_file(b"%PDF", "document")["file_id"]
    with pytest.raises(BadRequest, match=r"(?i)can't use the media"):
        await bot.send_media_group(user.id, [InputMediaPhoto(photo), InputMediaDocument(document)])
    with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
        await bot.send_media_group(user.id, [InputMediaPhoto(photo)])
    assert len(user.messages) == 5


async def test_an_officers_album_arrives_as_telegram_delivers_it(fake: FakeTelegram) -> None:
    user = fake.add_user(10)
    updates = await user.send_album(["photo", "video", "photo"], "/lapor rawan x", caption_at=1,
                                    wait=False)  # fmt: skip
    messages = [u["message"] for u in updates]
    assert len({m["media_group_id"] for m in messages}) == 1
    assert ["caption" in m for m in messages] == [False, True, False]
    assert messages[1]["caption_entities"][0]["type"] == "bot_command"
    assert ("photo" in messages[0], "video" in messages[1]) == (True, True)
    assert messages[1]["video"]["duration"] == 15
    with pytest.raises(ValueError, match="2 to 10"):
        await user.send_album(["photo"], wait=False)
    with pytest.raises(ValueError, match="2 to 10"):
        await user.send_album(["photo", "voice"], wait=False)


async def test_limits_are_exact(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.add_user(10)
    await bot.send_message(user.id, "🟢" * 2048)  # 4096 UTF-16 units
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])  # 64 bytes
    await bot.send_message(user.id, "tombol", reply_markup=ok)
    assert len(user.messages) == 2


async def test_flood_limits_when_enabled(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.add_group(-100500)
    fake.enable_flood_limits(FloodLimits(group_messages=20))
    for i in range(20):
        await bot.send_message(group.id, f"pesan {i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "pesan 21")
    assert "Retry in" in str(caught.value)
    assert len(group.messages) == 20


async def test_updates_are_redelivered_until_confirmed(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.add_user(10)
    first = await user.send("/start", wait=False)
    second = await user.send("/bantuan", wait=False)
    assert [u.update_id for u in await bot.get_updates()] == [first["update_id"],
                                                               second["update_id"]]  # fmt: skip
    assert len(await bot.get_updates()) == 2, "not confirmed yet: delivered again"
    assert [u.update_id for u in await bot.get_updates(offset=second["update_id"])] == [
        second["update_id"]
    ]
    assert await bot.get_updates(offset=second["update_id"] + 1) == ()


async def test_overall_flood_limit_counts_every_chat(fake: FakeTelegram, bot: Bot) -> None:
    users = [fake.add_user(10 + i) for i in range(4)]
    fake.enable_flood_limits(FloodLimits(global_per_second=3))
    for user in users[:3]:
        await bot.send_message(user.id, "pengingat")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[3].id, "pengingat")
    assert fake.rejected_429 == 1
    assert [len(user.messages) for user in users] == [1, 1, 1, 0]


async def test_private_flood_limit_when_enabled(fake: FakeTelegram, bot: Bot) -> None:
    first, second = fake.add_user(10), fake.add_user(11)
    fake.enable_flood_limits(FloodLimits(private_per_second=1))
    await bot.send_message(first.id, "satu")
    with pytest.raises(RetryAfter):
        await bot.send_message(first.id, "dua")
    await bot.send_message(second.id, "satu")
    assert [len(first.messages), len(second.messages)] == [1, 1]


async def test_latency_places_telegram_at_a_distance(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.add_user(10)
    arrived: list[float] = []
    fake.observers.append(lambda method, params: arrived.append(time.monotonic()))
    fake.set_latency(0.2)
    started = time.monotonic()
    await bot.send_message(user.id, "jauh")
    answered = time.monotonic()
    assert answered - started >= 0.2, "a whole round trip"
    assert 0.1 <= arrived[-1] - started < answered - started - 0.09, "received half-way"
    fake.set_latency(0.0)
    started = time.monotonic()
    await bot.send_message(user.id, "dekat")
    assert time.monotonic() - started < 0.1


async def test_jitter_lets_a_later_request_arrive_first(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.add_user(10)
    fake.set_latency(0.02, jitter=0.2, seed=3)
    texts = [f"pesan {i}" for i in range(8)]
    for text in texts:  # one after another in time, a few milliseconds apart
        asyncio.get_running_loop().create_task(bot.send_message(user.id, text))
        await asyncio.sleep(0.005)
    await fake.wait_until(lambda: len(user.messages) == len(texts), timeout=5)
    assert [m.text for m in user.messages] != texts, "arrival order is not sending order"


async def test_flood_limits_count_on_arrival_at_a_distance(fake: FakeTelegram, bot: Bot) -> None:
    users = [fake.add_user(10 + i) for i in range(4)]
    fake.enable_flood_limits(FloodLimits(global_per_second=3))
    fake.set_latency(0.3)
    started = time.monotonic()
    await asyncio.gather(*(bot.send_message(user.id, "x") for user in users[:3]))
    # Sent 0.55 s after the first three, counted on arrival: 0.55 s after theirs, inside
    # their second. Sent later, it arrives when their second is over.
    await asyncio.sleep(max(0.0, started + 0.55 - time.monotonic()))
    with pytest.raises(RetryAfter):
        await bot.send_message(users[3].id, "terlalu cepat")
    await asyncio.sleep(max(0.0, started + 1.05 - time.monotonic()))
    await bot.send_message(users[3].id, "sudah boleh")
    assert [len(user.messages) for user in users] == [1, 1, 1, 1]
