"""Each command's menu line (set_my_commands) and its line in /bantuan."""

from __future__ import annotations

from typing import NamedTuple


class CommandText(NamedTuple):
    """How a command is shown: in the command menu, and in /bantuan (HTML)."""

    menu: str
    help: str


START = CommandText(
    "mulai dan lihat ID Telegram", "/start — sapaan, status, dan ID Telegram Bapak/Ibu"
)
BANTUAN = CommandText("petunjuk penggunaan", "/bantuan — daftar perintah ini")
DAFTAR = CommandText(
    "daftar sebagai petugas", "/daftar — daftar sebagai petugas (Camat, Kapolsek, Danramil)"
)
BATAL = CommandText("batalkan formulir", "/batal — batalkan formulir yang sedang diisi")
LAPOR = CommandText(
    "kirim laporan situasi",
    "/lapor — formulir dengan tombol · <code>/lapor aman</code> — nihil · "
    "<code>/lapor waspada ada kerumunan di pasar</code> — laporan cepat (juga sebagai "
    "keterangan foto). Tingkat: aman, waspada, rawan, dan darurat; rawan dan darurat langsung "
    "diteruskan ke grup koordinasi.",
)
RIWAYAT = CommandText(
    "laporan terakhir Bapak/Ibu", "/riwayat — laporan terakhir Bapak/Ibu, per halaman"
)
RALAT = CommandText(
    "ralat laporan Bapak/Ibu (24 jam)", "<code>/ralat 12 teks</code> — ralat laporan #12 (24 jam)"
)
REKAP = CommandText(
    "rekap kondisi hari ini atau tanggal tertentu",
    "<code>/rekap</code> — rekap sekarang (jendela lapor saat ini atau hari ini) · "
    "<code>/rekap hari ini</code> · <code>/rekap kemarin</code> · <code>/rekap 27-11-2024</code>",
)
STATUS = CommandText("kondisi terkini tiap kecamatan", "/status — kondisi terkini tiap kecamatan")
BELUM = CommandText(
    "petugas yang belum lapor", "/belum — yang belum lapor pada jendela lapor saat ini (hari ini)"
)
LAPORAN = CommandText(
    "laporan terbaru", "<code>/laporan bengalon kemarin</code> — laporan terbaru"
)
LIHAT = CommandText("isi lengkap satu laporan", "<code>/lihat 12</code> — isi lengkap laporan #12")
CARI = CommandText("cari laporan", "<code>/cari blokade</code> — cari laporan")
EKSPOR = CommandText(
    "unduh CSV dan Excel",
    "<code>/ekspor 20-11-2024 27-11-2024</code> — unduh CSV dan Excel",
)
GRAFIK = CommandText("grafik laporan", "<code>/grafik 14</code> — grafik 14 hari terakhir")
KINERJA = CommandText(
    "waktu tanggap dan penyelesaian insiden",
    "<code>/kinerja 20-11-2024 27-11-2024</code> — waktu tanggap dan penyelesaian insiden "
    "(bawaan 7 hari terakhir)",
)
PETUGAS = CommandText("daftar pengguna", "/petugas [kecamatan] — daftar pengguna")
TAMBAH = CommandText(
    "daftarkan atau ubah pengguna",
    "<code>/tambah 123456789 | camat | Bengalon | Nama Lengkap</code> — daftarkan pengguna",
)
SETUJUI = CommandText("setujui pendaftaran", "/setujui &lt;id&gt; — setujui pendaftaran")
TOLAK = CommandText("tolak pendaftaran", "/tolak &lt;id&gt; — tolak pendaftaran")
NONAKTIFKAN = CommandText("nonaktifkan pengguna", "/nonaktifkan &lt;id&gt; — nonaktifkan pengguna")
AKTIFKAN = CommandText("aktifkan kembali pengguna", "/aktifkan &lt;id&gt; — aktifkan kembali")
IMPOR = CommandText("impor pengguna dari CSV", "/impor — impor pengguna dari berkas CSV")
GRUP_KOORDINASI = CommandText(
    "jadikan grup ini grup koordinasi",
    "/grup_koordinasi — jadikan grup ini grup koordinasi (kirim di grup)",
)
JADWAL = CommandText("jadwal rekap dan pengingat", "/jadwal — jadwal rekap dan pengingat")
CADANGAN = CommandText("unduh cadangan basis data", "/cadangan — unduh cadangan basis data")
PERKEMBANGAN = CommandText(
    "catat perkembangan insiden",
    "<code>/perkembangan 12 teks</code> — perkembangan insiden laporan #12 "
    "(boleh diawali tingkat baru)",
)
SELESAI = CommandText(
    "tutup insiden dengan catatan", "<code>/selesai 12 catatan</code> — insiden #12 selesai"
)
BUKA = CommandText("buka kembali insiden", "<code>/buka 12</code> — buka kembali insiden #12")
INSIDEN = CommandText(
    "insiden yang masih terbuka",
    "/insiden [kecamatan] — insiden terbuka, tingkat tertinggi dan terlama di atas",
)
