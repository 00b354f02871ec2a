"""`python -m bench.knowledge`: what the knowledge base's search costs (deskless.knowledge_index,
deskless.search_index), against moto as local mode runs it (in a thread of this process).

It generates articles itself (10,000 by default, a quarter in each language, a few hundred words
each drawn from per-language vocabularies of real help-desk words with a Zipf-like frequency, so
stems repeat as in real text; a fixed seed, so every run indexes the same text), then measures:
building the index; the size of the object stored in S3; loading it as a cold function does (the
pointer's GetItem, the download, the extraction into /tmp, opening it); suggestion-like queries in a
warm process (a few words, the last one a prefix being typed), p50 and p99; and publishing one
changed article (apply, upload, pointer), after which a reader that looks at the pointer (every
`search_index_check_seconds`) downloads and opens the new generation: the load time again."""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, TypeVar

from local.services import local_run

if TYPE_CHECKING:
    from deskless.knowledge_index import Audience, IndexedArticle
    from deskless.languages import Language

T = TypeVar("T")
SEED = 13
COMPANIES = 20

# Real words of help-desk articles, inflected as text uses them (so one stem has several forms).
VOCABULARIES: dict[str, str] = {
    "en": """password passwords reset resetting account accounts sign signed signing login logins printer printers
    printing print network networks connection connections connecting connected connect email emails mailbox
    invoice invoices billing payment payments refund refunds order orders ordering delivery shipping package
    portal ticket tickets support technician technicians session sessions code codes invitation laptop laptops
    computer computers screen screens keyboard mouse battery batteries charger update updates updating updated
    install installing installed installation software driver drivers setting settings configure configuration
    error errors message messages problem problems issue issues restart restarting reboot browser browsers
    cache cookies wireless router routers cable cables server servers backup backups restore restoring file
    files folder folders share shared sharing permission permissions access user users admin administrator
    phone phones mobile app apps notification notifications calendar meeting meetings video camera microphone
    audio sound headset license licenses subscription subscriptions trial upgrade upgrading downgrade storage
    disk disks memory slow slowly fast quickly secure security virus antivirus firewall vpn remote desktop
    document documents scan scanner scanning paper toner cartridge jam offline online status report reports
    the a an and or to of in on for with your you is are be can will not how what when why this that it from
    by at as if then click open close select choose enter type save check make sure again new old first next""",
    "es": """contraseña contraseñas restablecer restablecimiento cuenta cuentas iniciar sesión sesiones acceso accesos
    impresora impresoras imprimir impresión red redes conexión conexiones conectar conectado conectada correo
    correos buzón factura facturas facturación pago pagos reembolso reembolsos pedido pedidos entrega envío
    paquete portal ticket tickets soporte técnico técnicos código códigos invitación portátil portátiles
    ordenador ordenadores pantalla pantallas teclado ratón batería baterías cargador actualización
    actualizaciones actualizar actualizado instalar instalación instalado programa controlador controladores
    configuración configurar ajuste ajustes error errores mensaje mensajes problema problemas reiniciar
    reinicio navegador navegadores caché inalámbrica enrutador cable cables servidor servidores copia copias
    seguridad restaurar archivo archivos carpeta carpetas compartir compartido permiso permisos usuario usuarios
    administrador teléfono teléfonos móvil aplicación aplicaciones notificación notificaciones calendario
    reunión reuniones vídeo cámara micrófono sonido auriculares licencia licencias suscripción prueba
    almacenamiento disco memoria lento rápido seguro virus cortafuegos remoto escritorio documento documentos
    escáner escanear papel tóner cartucho atasco desconectado estado informe informes el la los las un una y o
    de del en para con su sus es son puede no cómo qué cuando por este esta desde si luego pulse abra cierre
    seleccione elija escriba guarde compruebe asegúrese nuevo nueva primero siguiente otra vez""",
    "de": """Passwort Passwörter zurücksetzen Zurücksetzung Konto Konten anmelden Anmeldung abmelden Zugang Zugriff
    Drucker drucken Druck Netzwerk Netzwerke Verbindung Verbindungen verbinden verbunden E-Mail Postfach
    Rechnung Rechnungen Zahlung Zahlungen Erstattung Bestellung Bestellungen Lieferung Versand Paket Portal
    Ticket Tickets Unterstützung Techniker Sitzung Sitzungen Code Codes Einladung Laptop Computer Rechner
    Bildschirm Tastatur Maus Akku Ladegerät Aktualisierung Aktualisierungen aktualisieren aktualisiert
    installieren Installation installiert Software Treiber Einstellung Einstellungen konfigurieren
    Konfiguration Fehler Fehlermeldung Meldung Meldungen Problem Probleme neu starten Neustart Browser Cache
    drahtlos WLAN Router Kabel Server Sicherung Sicherungen wiederherstellen Wiederherstellung Datei Dateien
    Ordner freigeben freigegeben Berechtigung Berechtigungen Benutzer Administrator Telefon Handy App
    Benachrichtigung Benachrichtigungen Kalender Besprechung Besprechungen Video Kamera Mikrofon Ton Headset
    Lizenz Lizenzen Abonnement Speicher Festplatte Arbeitsspeicher langsam schnell sicher Sicherheit Virus
    Virenschutz Firewall Fernzugriff Arbeitsplatz Dokument Dokumente Scanner scannen Papier Toner Patrone
    Papierstau Status Bericht Berichte Straße der die das ein eine und oder zu von in auf für mit Ihr Ihre
    Sie ist sind kann wird nicht wie was wann warum diese dieser aus bei als wenn dann klicken öffnen
    schließen wählen auswählen eingeben speichern prüfen sicherstellen erneut neue alte zuerst nächste""",
    "cs": """heslo hesla hesel heslem obnovení obnovit obnovte účet účtu účty přihlášení přihlásit přihlaste
    odhlášení přístup přístupu tiskárna tiskárny tiskáren tisk tisknout síť sítě připojení připojit
    připojte připojeno e-mail pošta schránka faktura faktury fakturace platba platby vrácení objednávka
    objednávky doručení zásilka portál tiket tikety podpora technik technici relace kód kódy pozvánka
    notebook notebooky počítač počítače obrazovka klávesnice myš baterie nabíječka aktualizace
    aktualizovat nainstalovat instalace nainstalováno program ovladač ovladače nastavení nastavit nastavte
    konfigurace chyba chyby zpráva zprávy problém problémy restartovat restart prohlížeč prohlížeče
    mezipaměť bezdrátová směrovač kabel kabely server servery záloha zálohy obnova soubor soubory složka
    složky sdílet sdílení oprávnění uživatel uživatelé správce telefon telefony mobil aplikace oznámení
    kalendář schůzka schůzky video kamera mikrofon zvuk sluchátka licence licencí předplatné úložiště disk
    paměť pomalý pomalu rychle bezpečný zabezpečení virus antivir brána vzdálená plocha dokument dokumenty
    skener skenovat papír toner kazeta uvíznutí offline stav hlášení a i nebo v ve na pro s se váš vaše je
    jsou může nelze jak co kdy proč tento tato z od když pak klikněte otevřete zavřete vyberte zadejte
    uložte zkontrolujte ujistěte znovu nový nová nejprve další""",
}


def _words(language: str) -> list[str]:
    return VOCABULARIES[language].split()


def articles(count: int, seed: int = SEED) -> list[IndexedArticle]:
    """`count` articles, a quarter in each language, the same ones for the same seed."""
    from deskless.knowledge_index import IndexedArticle
    from deskless.languages import LANGUAGES
    from deskless.readers import Visibility

    rng = random.Random(seed)
    made = []
    for n in range(count):
        language = LANGUAGES[n % len(LANGUAGES)]
        words = _words(language)
        weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like: a few words are most of the text
        rng.shuffle(words)

        def text(length: int, words: list[str] = words, weights: list[float] = weights) -> str:
            return " ".join(rng.choices(words, weights, k=length))

        sentences = [text(rng.randint(6, 16)).capitalize() + "." for _ in range(rng.randint(20, 35))]
        roll = rng.random()
        made.append(
            IndexedArticle(
                article_id=f"article-{n:05d}",
                language=language,
                title=text(rng.randint(3, 7)).capitalize(),
                body=" ".join(sentences),
                tags=tuple(rng.sample(words[:60], 2)),
                category_id=f"category-{n % 12}",
                state="published" if roll < 0.85 else "draft" if roll < 0.95 else "archived",
                visibility=Visibility("public" if roll < 0.6 else "customers" if roll < 0.9 else "internal"),
                companies=(f"company-{n % COMPANIES}",) if rng.random() < 0.1 else (),
                updated_at=1_796_558_400_000 + n,
            )
        )
    return made


def queries(count: int, seed: int = SEED) -> list[tuple[str, Language, Audience]]:
    """Suggestion-like queries: two or three whole words and a prefix of 3 to 5 letters being typed,
    by signed-out readers, contacts and staff."""
    from deskless.knowledge_index import Staff
    from deskless.languages import LANGUAGES
    from deskless.readers import SIGNED_OUT, Reader

    rng = random.Random(seed + 1)
    audiences: list[Audience] = [SIGNED_OUT, Reader(signed_in=True, company_id="company-3"), Staff()]
    made = []
    for _ in range(count):
        language = rng.choice(LANGUAGES)
        words = [word for word in _words(language) if len(word) > 4]
        typed = rng.choice(words)
        text = " ".join(rng.sample(words, rng.randint(2, 3))) + " " + typed[: rng.randint(3, 5)]
        made.append((text, language, rng.choice(audiences)))
    return made


def timed(call: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge", description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000, help="articles generated and indexed")
    parser.add_argument("--queries", type=int, default=1000, help="suggestion queries timed")
    parser.add_argument("--loads", type=int, default=5, help="cold loads and publishes timed (medians)")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request

    with local_run():
        return _run(args.articles, args.queries, args.loads)


def _run(count: int, query_count: int, loads: int) -> int:
    from dataclasses import replace

    from bench.dev import percentile
    from deskless import search_index
    from deskless.aws import client
    from deskless.knowledge_index import Staff, search
    from deskless.settings import get_settings
    from local.metering import count_requests

    made, generating = timed(lambda: articles(count))[::-1]
    words = sum(len(article.body.split()) + len(article.title.split()) for article in made)
    rebuilding, generation = timed(lambda: search_index.rebuild(made))

    load_times = []
    for _ in range(loads):
        search_index.forget_opened()
        seconds, _ = timed(search_index.current)
        load_times.append(seconds)

    asked = queries(query_count)
    index = search_index.current()
    for text, language, audience in asked[:20]:  # warm: the first searches page the index in
        search(index, text, language=language, audience=audience)
    search_times, hit_counts = [], []
    for text, language, audience in asked:
        started = time.perf_counter()
        hits = search(index, text, language=language, audience=audience)
        search_times.append(time.perf_counter() - started)
        hit_counts.append(len(hits))

    publish_times = []
    with count_requests(client("dynamodb")) as calls:
        for n in range(loads):
            changed = replace(made[n], title=made[n].title + f" changed {n}", updated_at=made[n].updated_at + 1)
            started = time.perf_counter()
            search_index.publish([changed], [])
            publish_times.append(time.perf_counter() - started)
    seen = search(search_index.current(), f"changed {loads - 1}", language=made[loads - 1].language, audience=Staff())
    through_stream = [_publish_to_searchable(n) for n in range(loads)]

    interval = get_settings().search_index_check_seconds
    print(f"{count} articles ({words:,} words) generated in {generating:.1f} s, a quarter in each language\n")
    print("| figure | value |\n|---|---:|")
    print(
        f"| build the index and store it (`rebuild`: analyse, index, archive, upload, pointer) | {rebuilding:.1f} s |"
    )
    print(f"| the stored object (a tar of the index's files) | {generation.size / 1e6:.1f} MB |")
    print(
        f"| cold load: pointer, download, extract to /tmp, open (median of {loads}) | "
        f"{statistics.median(load_times) * 1000:.0f} ms |"
    )
    print(
        f"| `search`, a suggestion query in a warm process, p50 ({query_count} queries) | "
        f"{percentile(search_times, 50):.1f} ms |"
    )
    print(f"| `search`, p99 | {percentile(search_times, 99):.1f} ms |")
    print(f"| hits per query (at most 5), mean | {statistics.mean(hit_counts):.1f} |")
    print(
        f"| publish one changed article: apply, upload, pointer (median of {loads}) | "
        f"{statistics.median(publish_times) * 1000:.0f} ms |"
    )
    print(f"| then a reader sees it within the check interval, plus a cold load | {interval:.0f} s + load |")
    print(
        f"| publish to searchable, as local mode runs it: the article saved, the stream polled "
        f"(4 times a second), the events function's publish, a reader's next look (median of {loads}) | "
        f"{statistics.median(through_stream):.1f} s |"
    )
    print(
        f"\nDynamoDB requests of {loads} publishes: "
        + ", ".join(f"{name} {n}" for name, n in sorted(calls.items()))
        + "."
    )
    print(f"The last change was found after its publish: {bool(seen)}.")
    return 0 if seen else 1


def _publish_to_searchable(n: int) -> float:
    """Seconds from saving a published article (deskless.articles, as the knowledge function does)
    to a signed-out reader's search finding it, with the stream polled as local mode polls it and
    delivered to the events function, and the reader checking the index as a warm function does."""
    from deskless import search_index
    from deskless.articles import (
        KbCategoryContent,
        NewArticle,
        State,
        VariantContent,
        create_article,
        create_kb_category,
    )
    from deskless.readers import SIGNED_OUT
    from deskless.settings import get_settings
    from local.functions import FunctionRegistry
    from local.streams import StreamPoller, TtlLedger

    word = f"zzbenchmarkword{n}"
    poller = StreamPoller(
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        table_name=get_settings().table_name,
        invoke=FunctionRegistry(reload=False).invoke,
        ledger=TtlLedger(),
    )
    poller.start()
    try:
        category = create_kb_category(KbCategoryContent(name=f"Benchmark {n}"))
        started = time.perf_counter()
        create_article(
            NewArticle(
                category_id=category.id,
                variants={"en": VariantContent(title=f"Benchmark {word}", body="Text.", state=State.PUBLISHED)},
            ),
            SimpleNamespace(user_id="bench", name="Benchmark"),
        )
        while not search_index.find(word + " ", language="en", audience=SIGNED_OUT):
            if time.perf_counter() - started > 60:
                raise RuntimeError("the published article was not searchable after 60 s")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        poller.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
