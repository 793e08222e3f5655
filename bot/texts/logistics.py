"""Election logistics: the officer's chain, the coordination grid, confirmations, kendala,
deadlines, late announcements, the digest section and the export sheet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from html import escape

from bot.texts.commands import CommandText
from bot.texts.common import LEVEL_LABEL, ROLE_LABEL, duration, level_badge, long_date
from bot.texts.incidents import day_wita, wita
from bot.texts.layout import MESSAGE_LIMIT, split_messages
from domain.enums import Level, Role
from domain.logistics import (
    Board,
    Chain,
    Confirmation,
    CountError,
    LogisticsDue,
    PlanError,
    Stage,
    StageState,
    StageStatus,
    TpsCount,
    WithdrawError,
)
from domain.parsing import utf16_len

LOGISTIK = CommandText(
    "logistik Pilkada per tahap",
    "/logistik — logistik Pilkada per tahap: konfirmasi ✅ Sudah dan ⚠️ Ada kendala (petugas), "
    "tabel semua kecamatan (koordinator, admin)",
)
LOGISTIK_MARK = {
    StageState.DONE: "✅",
    StageState.LATE: "⚠️",
    StageState.DUE: "⏳",
    StageState.WAITING: "▫️",
}
LOGISTIK_STATE_LABEL = {
    StageState.DONE: "sudah",
    StageState.LATE: "terlambat",
    StageState.DUE: "menunggu",
    StageState.WAITING: "belum ada tenggat",
}
LOGISTIK_LEGEND = "✅ sudah · ⏳ menunggu (ada tenggat) · ⚠️ terlambat · ▫️ belum ada tenggat"
LOGISTIK_DONE_BUTTON = "✅ Sudah"
LOGISTIK_KENDALA_BUTTON = "⚠️ Ada kendala"
LOGISTIK_SAVE_BUTTON = "💾 Simpan tanpa foto"
LOGISTIK_CANCEL_BUTTON = "❌ Batal"
# Where a kendala's level is chosen, its meaning is shown (shared/domain.md).
LOGISTIK_LEVEL_MEANING = {
    Level.WASPADA: "ada potensi gangguan, masih terkendali",
    Level.RAWAN: "ada gangguan, ditangani setempat",
    Level.DARURAT: "perlu bantuan segera",
}
# How many kendala numbers a grid line names before it counts the rest.
_GRID_KENDALA = 3


def logistik_corroborate_button(number: int) -> str:
    """The button that corroborates the last confirmed stage."""
    return f"👍 Benarkan tahap {number}"


def logistik_stage(stage: Stage) -> str:
    """ "Tahap 2 · didistribusikan ke PPS/TPS" (escaped)."""
    return f"Tahap {stage.number} · {escape(stage.name)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _officer(confirmation: Confirmation) -> str:
    role = ROLE_LABEL.get(confirmation.role, confirmation.role.value.title())
    return f"{role} {escape(confirmation.officer_name)}"


def _count(count: TpsCount | None) -> str:
    if count is None:
        return ""
    return f"{count.done}/{count.total} TPS" if count.total else f"{count.done} TPS"


def _relative(deadline: datetime, now: datetime) -> str:
    """ "8 jam lagi" or "terlambat 3 jam"."""
    if now > deadline:
        return f"terlambat {duration(now - deadline)}"
    return f"{duration(deadline - now)} lagi"


def _confirmed_line(status: StageStatus, tz: tzinfo) -> str:
    first = status.first
    if first is None:
        return ""
    parts = [day_wita(first.at.astimezone(tz)), _officer(first)]
    if count := _count(first.count):
        parts.append(count)
    if first.photo_file_id:
        parts.append("📷")
    line = " · ".join(parts)
    if status.corroborations:
        others = ", ".join(_officer(c) for c in status.corroborations)
        line += f" · dibenarkan {others}"
    return line


def _stage_lines(status: StageStatus, now: datetime, tz: tzinfo) -> list[str]:
    stage = status.stage
    lines = [f"{LOGISTIK_MARK[status.state]} {stage.number}. {escape(_capital(stage.name))}"]
    if status.state is StageState.DONE:
        lines.append(f"    {_confirmed_line(status, tz)}")
    elif status.deadline is not None:
        due = day_wita(status.deadline.astimezone(tz))
        lines.append(f"    tenggat {due} ({_relative(status.deadline, now)})")
    else:
        lines.append("    belum ada tenggat")
    for kendala in status.open_kendala:
        number = kendala.report
        lines.append(
            f"    🚧 kendala #{number} {level_badge(kendala.level)} — <code>/lihat {number}</code>"
        )
    return lines


def logistik_chain(chain: Chain, now: datetime, tz: tzinfo) -> str:
    """One kecamatan's chain for koordinators and admins: each stage ✅ (when, by whom),
    ⏳ (deadline), ⚠️ (late), and its open kendala (read with /lihat)."""
    lines = [f"🚚 <b>Logistik Pilkada — {escape(chain.kecamatan)}</b>"]
    if chain.tps is not None:
        lines.append(f"Jumlah TPS: {chain.tps}")
    lines.append("")
    for status in chain.stages:
        lines += _stage_lines(status, now, tz)
    return "\n".join(lines)


def _officer_stage_line(status: StageStatus, now: datetime, tz: tzinfo) -> str:
    """One stage on one line (the officer's view fits one phone screen)."""
    stage = status.stage
    line = f"{LOGISTIK_MARK[status.state]} {stage.number}. {escape(_capital(stage.name))}"
    if status.state is StageState.DONE:
        return f"{line} · {_confirmed_line(status, tz)}"
    if status.deadline is not None:
        due = day_wita(status.deadline.astimezone(tz))
        return f"{line} · tenggat {due} ({_relative(status.deadline, now)})"
    return line


def logistik_officer_view(chain: Chain, now: datetime, tz: tzinfo, offer: int | None) -> str:
    """The officer's view: their chain, one line a stage, the open kendala on one line (officers
    cannot read reports with /lihat; they add to their kecamatan's incident), and what the
    buttons below do."""
    tps = f" · {chain.tps} TPS" if chain.tps is not None else ""
    lines = [f"🚚 <b>Logistik Pilkada — {escape(chain.kecamatan)}</b>{tps}", ""]
    lines += [_officer_stage_line(status, now, tz) for status in chain.stages]
    kendala = [k for status in chain.stages for k in status.open_kendala]
    if kendala:
        shown = ", ".join(f"#{k.report} {level_badge(k.level)}" for k in kendala)
        number = str(kendala[0].report) if len(kendala) == 1 else "&lt;nomor&gt;"
        lines.append(
            f"🚧 Kendala terbuka: {shown} — <code>/perkembangan {number} &lt;teks&gt;</code>"
        )
    lines.append("")
    following = chain.next
    if following is None:
        lines.append("✅ Semua tahap sudah dikonfirmasi. Terima kasih.")
    else:
        lines.append(
            f"Berikutnya: <b>{logistik_stage(following.stage)}</b>. Tekan "
            f"<b>{LOGISTIK_DONE_BUTTON}</b> jika sudah atau <b>{LOGISTIK_KENDALA_BUTTON}</b>."
        )
    if offer is not None:
        lines.append(
            f"Tahap {offer} sudah dikonfirmasi petugas lain; jika Bapak/Ibu menyaksikannya, "
            f"tekan <b>{logistik_corroborate_button(offer)}</b>."
        )
    lines.append(
        "Salah konfirmasi? <code>/logistik tarik &lt;nomor tahap&gt; &lt;alasan&gt;</code>"
    )
    return "\n".join(lines)


def logistik_staff_detail(chain: Chain, now: datetime, tz: tzinfo, *, admin: bool) -> str:
    """A koordinator's or admin's view of one kecamatan."""
    lines = [logistik_chain(chain, now, tz), "", "Semua kecamatan: /logistik"]
    if admin:
        lines.append(
            "Tarik konfirmasi: <code>/logistik tarik &lt;nomor tahap&gt; "
            f"{escape(chain.kecamatan)} &lt;alasan&gt;</code>"
        )
    return "\n".join(lines)


def logistik_photo_caption(kecamatan: str, stage: Stage, confirmation: Confirmation) -> str:
    """The caption of a confirmation's photo."""
    return f"📷 {escape(kecamatan)} · {logistik_stage(stage)} · {_officer(confirmation)}"


# --- the coordination grid --------------------------------------------------------------------


def _grid_line(chain: Chain) -> str:
    marks = "".join(LOGISTIK_MARK[s.state] for s in chain.stages)
    name = escape(chain.kecamatan)
    line = f"{marks} <b>{name}</b>" if chain.late else f"{marks} {name}"
    kendala = [k.report for s in chain.stages for k in s.open_kendala]
    if kendala:
        shown = ", ".join(f"#{n}" for n in kendala[:_GRID_KENDALA])
        more = f" +{len(kendala) - _GRID_KENDALA}" if len(kendala) > _GRID_KENDALA else ""
        line += f" 🚧 {shown}{more}"
    return line


def _late_line(status: StageStatus, now: datetime, tz: tzinfo) -> str:
    deadline = status.deadline or now
    return (
        f"⚠️ <b>{escape(status.kecamatan)}</b> — tahap {status.stage.number}, tenggat "
        f"{day_wita(deadline.astimezone(tz))} ({_relative(deadline, now)})"
    )


def logistik_grid(board: Board, district: str, tz: tzinfo, *, admin: bool) -> str:
    """Every kecamatan x stage in one message, kecamatan with late stages first, then the late
    stages with their deadlines (as many as fit)."""
    now = board.at
    counts = board.counts()
    tally = " · ".join(f"{LOGISTIK_MARK[state]} {counts[state]}" for state in StageState)
    order = " · ".join(f"{s.number} {escape(s.name)}" for s in board.stages)
    head = [
        f"🚚 <b>Logistik Pilkada</b> · {escape(district)}",
        f"Per {day_wita(now.astimezone(tz))} · {tally}",
        f"Tahap: {order}",
        LOGISTIK_LEGEND,
        "",
        *(_grid_line(chain) for chain in board.late_first()),
    ]
    tail = ["", "Rincian satu kecamatan: <code>/logistik &lt;kecamatan&gt;</code>"]
    if admin:
        tail.append(
            "Tenggat: <code>/logistik rencana &lt;nomor tahap&gt; &lt;kecamatan atau semua&gt; "
            "&lt;tanggal&gt; &lt;jam&gt;</code>"
        )
    late = sorted(
        (s for s in board.statuses() if s.state is StageState.LATE),
        key=lambda s: (s.deadline or now, s.stage.number, s.kecamatan),
    )
    text = "\n".join(head)
    if late:
        budget = MESSAGE_LIMIT - utf16_len("\n".join(tail)) - 40
        block = ["", f"<b>Terlambat ({len(late)})</b>"]
        for index, status in enumerate(late):
            line = _late_line(status, now, tz)
            if utf16_len("\n".join([text, *block, line])) > budget:
                block.append(f"… dan {len(late) - index} lainnya")
                break
            block.append(line)
        text = "\n".join([text, *block])
    return "\n".join([text, *tail])


# --- confirming -------------------------------------------------------------------------------


def logistik_ask_proof(
    stage: Stage, kecamatan: str, tps: int | None, *, corroborating: bool
) -> str:
    """Asks for the optional photo and count of a "✅ Sudah"."""
    what = "👍 <b>Membenarkan" if corroborating else "✅ <b>Konfirmasi"
    lines = [f"{what} {logistik_stage(stage)}</b> — {escape(kecamatan)}"]
    if stage.counted:
        example = f"12 dari {tps} TPS" if tps else "12 dari 14 TPS"
        lines.append(
            "Kirim <b>foto</b> sebagai bukti (boleh dengan keterangan jumlah, misalnya "
            f"<code>{example}</code>), ketik jumlahnya saja, atau tekan "
            f"<b>{LOGISTIK_SAVE_BUTTON}</b>."
        )
    else:
        lines.append(f"Kirim <b>foto</b> sebagai bukti atau tekan <b>{LOGISTIK_SAVE_BUTTON}</b>.")
    lines.append("Ketik /batal untuk membatalkan.")
    return "\n".join(lines)


def logistik_count_error(reason: CountError, kecamatan: str, tps: int | None) -> str:
    """Why a count was refused, and what to send instead."""
    if reason is CountError.TPS_TOTAL and tps is not None:
        return (
            f"Menurut data, Kecamatan {escape(kecamatan)} memiliki {tps} TPS. Tulis misalnya "
            f"<code>12 dari {tps} TPS</code> atau tekan <b>{LOGISTIK_SAVE_BUTTON}</b>."
        )
    if reason is CountError.TPS_OVER and tps is not None:
        return (
            f"Kecamatan {escape(kecamatan)} memiliki {tps} TPS; jumlahnya paling banyak {tps}. "
            "Kirim lagi jumlah yang benar."
        )
    if reason is CountError.RANGE:
        return (
            "Jumlah TPS harus 1 atau lebih dan tidak melebihi totalnya, misalnya "
            "<code>12 dari 14 TPS</code>. Kirim lagi jumlah yang benar."
        )
    return (
        "Jumlah tidak dikenali. Tulis angka saja, misalnya <code>12</code> atau "
        f"<code>12 dari 14 TPS</code>, kirim foto, atau tekan <b>{LOGISTIK_SAVE_BUTTON}</b>."
    )


LOGISTIK_NO_COUNT = (
    "Tahap ini tidak memakai jumlah TPS. Kirim foto sebagai bukti atau tekan "
    f"<b>{LOGISTIK_SAVE_BUTTON}</b>."
)
LOGISTIK_PHOTO_ONLY = (
    "Bukti harus berupa foto (kirim sebagai foto, bukan berkas). Kirim foto, ketik jumlah "
    f"TPS, atau tekan <b>{LOGISTIK_SAVE_BUTTON}</b>."
)
LOGISTIK_USE_BUTTONS = "Pilih dengan tombol pada pesan di atas atau ketik /batal."
LOGISTIK_NOT_OWN = (
    "Bapak/Ibu hanya dapat mengonfirmasi atau menarik konfirmasi logistik kecamatan "
    "Bapak/Ibu sendiri. Ketik /logistik untuk kecamatan Bapak/Ibu."
)
LOGISTIK_FINISH_FORM_FIRST = (
    "📝 Bapak/Ibu masih mengisi formulir yang belum dikirim. Agar isinya tidak hilang, kirim "
    "dulu formulir itu atau batalkan dengan /batal, lalu buka lagi /logistik dan tekan "
    f"<b>{LOGISTIK_DONE_BUTTON}</b> atau <b>{LOGISTIK_KENDALA_BUTTON}</b>."
)
LOGISTIK_CANCELLED = "❌ Konfirmasi logistik dibatalkan, tidak ada yang dicatat."


def logistik_expired(idle: timedelta) -> str:
    """The logistics dialog was closed for lack of activity."""
    return (
        f"⌛ Konfirmasi logistik dibatalkan karena tidak ada kegiatan selama {duration(idle)}. "
        "Buka lagi /logistik."
    )


def logistik_out_of_order(stage: Stage, blocking: Stage) -> str:
    """A stage pressed before the one in front of it (at most 200 characters)."""
    return (
        f"Tahap {stage.number} belum dapat dikonfirmasi: tahap {blocking.number} belum "
        "dikonfirmasi. Konfirmasi dulu tahap itu lewat /logistik."
    )


def logistik_already(stage: Stage, moment: datetime) -> str:
    """The officer confirmed this stage before (at most 200 characters)."""
    return (
        f"Bapak/Ibu sudah mengonfirmasi tahap {stage.number} pukul {wita(moment)}; tidak perlu "
        "dikonfirmasi lagi. Lihat /logistik."
    )


def logistik_confirmed(
    stage: Stage,
    kecamatan: str,
    confirmation: Confirmation,
    tz: tzinfo,
    following: Stage | None,
    first: Confirmation | None,
) -> str:
    """The answer once a confirmation is stored (a corroboration when `first` is another's)."""
    extra = [part for part in (_count(confirmation.count),) if part]
    if confirmation.photo_file_id:
        extra.append("dengan foto")
    detail = f" ({', '.join(extra)})" if extra else ""
    moment = wita(confirmation.at.astimezone(tz))
    if first is not None and first.id != confirmation.id:
        lines = [
            f"👍 Pembenaran <b>{logistik_stage(stage)}</b> — {escape(kecamatan)} tercatat "
            f"pukul {moment}{detail}.",
            f"Tahap ini dikonfirmasi lebih dulu oleh {_officer(first)} pukul "
            f"{wita(first.at.astimezone(tz))}.",
        ]
    else:
        lines = [
            f"✅ <b>{logistik_stage(stage)}</b> — {escape(kecamatan)} tercatat pukul "
            f"{moment}{detail}."
        ]
    if following is not None:
        lines.append(f"Berikutnya: {logistik_stage(following)}. Lihat /logistik.")
    else:
        lines.append("Semua tahap sudah dikonfirmasi. Lihat /logistik.")
    return "\n".join(lines)


# --- kendala ----------------------------------------------------------------------------------


def logistik_ask_level(stage: Stage, kecamatan: str) -> str:
    """Asks the level of a kendala, with what each level means."""
    meanings = "\n".join(
        f"{level_badge(level)} — {meaning}" for level, meaning in LOGISTIK_LEVEL_MEANING.items()
    )
    return (
        f"⚠️ <b>Kendala {logistik_stage(stage)}</b> — {escape(kecamatan)}\n"
        f"Pilih tingkatnya:\n{meanings}"
    )


def logistik_ask_kendala(stage: Stage, level: Level) -> str:
    """Asks for the kendala in one message."""
    forwarded = " Laporan ini langsung diteruskan ke grup koordinasi." if level.escalates else ""
    return (
        f"⚠️ Kendala tahap {stage.number} · {level_badge(level)}\n"
        "Tulis kendalanya dalam satu pesan (boleh foto dengan keterangan)."
        f"{forwarded} Ketik /batal untuk membatalkan."
    )


LOGISTIK_KENDALA_EMPTY = (
    "Keterangan kendala kosong. Tulis kendalanya (boleh foto dengan keterangan) atau ketik /batal."
)


def logistik_kendala_report(stage: Stage, text: str) -> str:
    """The text of the Logistik report a kendala is filed as (plain text, stored as is)."""
    return f"Kendala logistik tahap {stage.number} ({stage.name}): {text}"


def logistik_kendala_saved(stage: Stage, number: int) -> str:
    """Once the kendala is filed and linked to its stage."""
    return (
        f"⚠️ Kendala tahap {stage.number} ({escape(stage.name)}) tercatat sebagai insiden "
        f"#{number}. Perkembangan: <code>/perkembangan {number} teks</code>; selesai: "
        f"<code>/selesai {number} catatan</code>."
    )


# --- /logistik rencana and /logistik tarik ------------------------------------------------------

LOGISTIK_RENCANA_USAGE = (
    "Format: <code>/logistik rencana &lt;nomor tahap&gt; &lt;kecamatan atau semua&gt; "
    "&lt;tanggal&gt; &lt;jam&gt;</code>, misalnya <code>/logistik rencana 2 semua 26-11-2024 "
    "18.00</code> atau <code>/logistik rencana 2 Sangatta Utara 26 Nov 2024 18.00</code>. "
    "Menghapus tenggat: <code>/logistik rencana 2 semua hapus</code>."
)
LOGISTIK_RENCANA_ADMIN_ONLY = (
    "Tenggat logistik hanya dapat diatur oleh admin Kesbangpol. Tenggat yang berlaku: /logistik."
)


def logistik_stages_list(stages: Sequence[Stage]) -> str:
    """The stages with their numbers, one a line."""
    return "\n".join(f"{s.number}. {escape(s.name)}" for s in stages)


def logistik_plan_error(reason: PlanError, stages: Sequence[Stage]) -> str:
    """Why `/logistik rencana` was refused, and the format."""
    problem = {
        PlanError.USAGE: "",
        PlanError.STAGE: f"Nomor tahap harus 1 sampai {len(stages)}; pilih salah satu:\n"
        f"{logistik_stages_list(stages)}\n\n",
        PlanError.KECAMATAN: "Kecamatan tidak dikenal. Tulis nama kecamatan (misalnya "
        "<code>Muara Wahau</code>) atau <code>semua</code>.\n\n",
        PlanError.DATE: "Tanggal tidak dikenal. Tulis misalnya <code>26-11-2024</code>, "
        "<code>26 Nov 2024</code>, atau <code>besok</code>.\n\n",
        PlanError.TIME: "Jam tidak dikenal. Tulis misalnya <code>18.00</code> (pukul 00.00 "
        "sampai 23.59).\n\n",
    }[reason]
    return problem + LOGISTIK_RENCANA_USAGE


def logistik_plan_saved(
    stage: Stage, place: str | None, due: datetime | None, now: datetime
) -> str:
    """Confirmation of a planned (or cleared) deadline; `place` None is every kecamatan."""
    where = "semua kecamatan" if place is None else f"Kecamatan {escape(place)}"
    if due is None:
        return f"🗓 Tenggat <b>{logistik_stage(stage)}</b> untuk {where} dihapus."
    text = (
        f"🗓 Tenggat <b>{logistik_stage(stage)}</b> untuk {where}: "
        f"<b>{long_date(due.date())} pukul {wita(due)}</b>."
    )
    if due < now:
        text += (
            "\nTenggat ini sudah lewat: tahap yang belum dikonfirmasi terhitung terlambat dan "
            "diumumkan di grup koordinasi."
        )
    return text


LOGISTIK_TARIK_USAGE = (
    "Format: <code>/logistik tarik &lt;nomor tahap&gt; &lt;alasan&gt;</code>, misalnya "
    "<code>/logistik tarik 2 salah tekan, truk belum berangkat</code>. Admin menambahkan "
    "kecamatannya: <code>/logistik tarik 2 Bengalon alasan</code>."
)
LOGISTIK_TARIK_REFUSED = (
    "Konfirmasi logistik hanya dapat ditarik oleh petugas yang membuatnya atau oleh admin. "
    "Hubungi admin Kesbangpol."
)
LOGISTIK_TARIK_WHERE = (
    "Tulis kecamatannya, misalnya <code>/logistik tarik 2 Bengalon alasan</code>."
)


def logistik_withdraw_error(reason: WithdrawError, stages: Sequence[Stage]) -> str:
    """Why `/logistik tarik` was refused, and the format."""
    if reason is WithdrawError.STAGE:
        return (
            f"Nomor tahap harus 1 sampai {len(stages)}; pilih salah satu:\n"
            f"{logistik_stages_list(stages)}\n\n" + LOGISTIK_TARIK_USAGE
        )
    if reason is WithdrawError.REASON:
        return "Tulis alasannya (paling banyak 500 karakter).\n\n" + LOGISTIK_TARIK_USAGE
    return LOGISTIK_TARIK_USAGE


def logistik_nothing_to_withdraw(stage: Stage, kecamatan: str) -> str:
    """No standing confirmation to withdraw."""
    return (
        f"Tidak ada konfirmasi {logistik_stage(stage)} di {escape(kecamatan)} yang dapat "
        "ditarik. Periksa nomor tahapnya di /logistik."
    )


def logistik_withdrawn(stage: Stage, kecamatan: str, count: int, reason: str) -> str:
    """Confirmation of a withdrawal."""
    what = "Konfirmasi" if count == 1 else f"{count} konfirmasi"
    return (
        f"↩️ {what} <b>{logistik_stage(stage)}</b> — {escape(kecamatan)} ditarik: "
        f"{escape(reason)}. Riwayatnya tetap tersimpan."
    )


def logistik_withdrawn_notice(stage: Stage, kecamatan: str, admin: str, reason: str) -> str:
    """To the officer whose confirmation an admin withdrew."""
    return (
        f"↩️ Konfirmasi Bapak/Ibu untuk <b>{logistik_stage(stage)}</b> — {escape(kecamatan)} "
        f"ditarik oleh {escape(admin)}: {escape(reason)}. Konfirmasi lagi lewat /logistik jika "
        "sudah."
    )


LOGISTIK_OFFICER_USAGE = (
    "Ketik /logistik untuk tahapan logistik kecamatan Bapak/Ibu atau "
    "<code>/logistik tarik &lt;nomor tahap&gt; &lt;alasan&gt;</code> untuk menarik konfirmasi."
)
LOGISTIK_NO_KECAMATAN = (
    "Kecamatan tidak dikenal. Ketik /logistik untuk semua kecamatan atau misalnya "
    "<code>/logistik Muara Wahau</code>."
)

# --- late announcements and the digest --------------------------------------------------------


def logistik_late_announcement(
    late: Sequence[StageStatus], now: datetime, tz: tzinfo
) -> list[str]:
    """One announcement for the stages that became late together (split only if huge)."""
    head = f"⚠️ <b>Logistik terlambat</b> — {len(late)} tahap melewati tenggat"
    lines = [
        f"• <b>{escape(s.kecamatan)}</b> — {logistik_stage(s.stage)}, tenggat "
        f"{day_wita((s.deadline or now).astimezone(tz))}"
        for s in late
    ]
    return split_messages([head, *lines, "Tabel lengkap: /logistik"])


def logistik_digest_blocks(due: LogisticsDue | None, tz: tzinfo) -> list[str]:
    """The digest's logistics section (nothing while no stage is due): a count line, each
    kecamatan with a late stage, then the kecamatan with a stage due within 48 hours, grouped
    by stage and deadline so a deadline shared by many stays one line."""
    if due is None:
        return []
    counts = []
    if due.late:
        counts.append(f"⚠️ {due.late} terlambat")
    if due.due_soon:
        counts.append(f"⏳ {due.due_soon} tenggat ≤ 48 jam")
    counts.append(f"{len(due.behind)} dari {due.kecamatan_total} kecamatan perlu perhatian")
    lines = []
    waiting: dict[tuple[int, datetime], list[str]] = {}
    for kecamatan, statuses in due.behind:
        late = [
            f"tahap {s.stage.number} terlambat {duration(due.at - s.deadline)}"
            for s in statuses
            if s.state is StageState.LATE and s.deadline is not None
        ]
        if late:
            lines.append(f"{LOGISTIK_MARK[StageState.LATE]} <b>{escape(kecamatan)}</b>: "
                         f"{'; '.join(late)}")  # fmt: skip
        for status in statuses:
            if status.state is StageState.DUE and status.deadline is not None:
                key = (status.stage.number, status.deadline)
                waiting.setdefault(key, []).append(escape(kecamatan))
    for (number, deadline), names in sorted(waiting.items(), key=lambda item: item[0][1]):
        lines.append(
            f"{LOGISTIK_MARK[StageState.DUE]} Tahap {number}, tenggat "
            f"{day_wita(deadline.astimezone(tz))}: {', '.join(names)}"
        )
    return [f"\n<b>🚚 Logistik Pilkada</b>\n{' · '.join(counts)}", *lines]


# --- /ekspor: the Logistik sheet --------------------------------------------------------------

SHEET_LOGISTICS = "Logistik"
LOGISTICS_COLUMNS = (
    "kecamatan",
    "tahap",
    "nama tahap",
    "status",
    "tenggat",
    "dikonfirmasi",
    "petugas",
    "jabatan",
    "jumlah TPS",
    "foto",
    "pembenaran",
    "kendala",
)


def _local(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


def _role_name(role: Role) -> str:
    return ROLE_LABEL.get(role, role.value.title())


def logistics_rows(board: Board, tz: tzinfo) -> list[list[object]]:
    """The Logistik sheet: kecamatan x stage, with time, officer and planned deadline (None is
    an empty cell)."""
    rows: list[list[object]] = []
    for status in board.statuses():
        first = status.first
        kendala = ", ".join(
            f"#{k.report} {LEVEL_LABEL[k.level]}{'' if k.is_open else ' (selesai)'}"
            for k in status.kendala
        )
        rows.append(
            [
                status.kecamatan,
                status.stage.number,
                status.stage.name,
                LOGISTIK_STATE_LABEL[status.state],
                _local(status.deadline, tz),
                _local(first.at, tz) if first else None,
                first.officer_name if first else None,
                _role_name(first.role) if first else None,
                _count(first.count) or None if first else None,
                ("ya" if first.photo_file_id else "tidak") if first else None,
                ", ".join(c.officer_name for c in status.corroborations) or None,
                kendala or None,
            ]
        )
    return rows
