"""`cgov init`, `cgov db …` and `cgov audit …`."""

from functools import partial
from typing import Annotated, Optional

import typer

from cgov.core import cmd, i18n
from cgov.core.cmd import FormatOpt, LangOpt

db_app = cmd.sub_app("The database: information, checks, backups, upgrades.")
audit_app = cmd.sub_app("The audit log: who changed what, and when.")


def init(ctx: typer.Context):
    """Create the database (or bring it up to date) and say where it is.

    Example: cgov --db town.db init"""
    from cgov.core import store

    eng = cmd.engine(ctx)
    typer.echo(f"database ready: {store.sqlite_path(str(eng.url)) or eng.url.render_as_string(hide_password=True)}")


@db_app.command("info")
def info(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """Path, schema version and row counts per table."""
    from cgov.core import dbinfo
    from cgov.core.output import Col, Part, render_show

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        data = dbinfo.info(s, cmd.engine(ctx))
    render_show(data, [Col("database", "Database", "数据库"), Col("dialect", "Dialect", "类型"),
                       Col("schema_version", "Schema version", "结构版本"), Col("latest", "Latest", "最新版本"),
                       Col("bytes", "Size (bytes)", "大小（字节）")], o,
                [Part("tables", "Tables", "数据表", [Col("table", "Table", "表"), Col("rows", "Rows", "行数")])])


@db_app.command("check")
def check(ctx: typer.Context, fmt: FormatOpt = None, lang: LangOpt = None):
    """Integrity and foreign-key check; exit 1 if anything is wrong."""
    from cgov.core import dbinfo
    from cgov.core.errors import CgovError
    from cgov.core.output import Col, render_list

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        result = dbinfo.check(s)
    names = {"integrity": "完整性", "foreign keys": "外键", "connection": "连接", "ok": "正常"}
    render_list(result["checks"], [Col("check", "Check", "检查", labels=names),
                                   Col("result", "Result", "结果", labels=names)], o)
    if not result["ok"]:
        raise CgovError("the database failed its checks", hint="restore from a backup (cgov db backup) or ask for help")


@db_app.command("backup")
def backup(ctx: typer.Context, path: Annotated[str, typer.Argument(help="Where to write the copy.")]):
    """Copy the database online (SQLite backup API) and check the copy.

    Example: cgov db backup /srv/backups/town-2026-11-23.db"""
    from pathlib import Path

    from cgov.core import backup as bk
    from cgov.core.errors import Invalid

    eng = cmd.engine(ctx)
    if eng.dialect.name != "sqlite":
        raise Invalid("db backup copies SQLite files; for PostgreSQL use pg_dump")
    result = bk.sqlite_backup(eng, Path(path))
    typer.echo(f"backup written: {result['path']} ({result['bytes']} bytes, integrity {result['integrity']})")


@db_app.command("copy")
def copy(ctx: typer.Context, target: Annotated[str, typer.Argument(
        help="The new database: a file path or postgresql+psycopg://user@host/db.")],
        fmt: FormatOpt = None, lang: LangOpt = None):
    """Copy every record into a new, empty database and check the row counts.

    Moves a community's SQLite file onto a shared PostgreSQL server; the
    source is left as it was.

    Example: cgov --db town.db db copy postgresql+psycopg://cgov@db.street.local/district"""
    from cgov.core import dbcopy, store
    from cgov.core.output import Col, render_list

    o = cmd.out(ctx, fmt, lang)
    report = dbcopy.copy(cmd.engine(ctx), store.engine_for(target))
    render_list(report, [Col("table", "Table", "表"), Col("source", "Source rows", "源行数"),
                         Col("target", "Target rows", "目标行数")], o)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context):
    """Apply pending schema migrations (they also run whenever cgov opens the database)."""
    from cgov import migrations
    from cgov.core import store

    eng = store.engine_for(cmd.state(ctx).db, migrate=False)
    ran = migrations.upgrade(eng)
    st = migrations.status(eng)
    typer.echo(f"schema version {st['version']}" + (f" (applied {', '.join(ran)})" if ran else " (up to date)"))


@audit_app.command("log")
def log(
    ctx: typer.Context,
    action: Annotated[Optional[str], typer.Option(help="Action, e.g. import or case.* .")] = None,
    actor: Annotated[Optional[str], typer.Option("--by", help="Who acted.")] = None,
    record: Annotated[Optional[str], typer.Option("--id", help="Entries that touched this record id.")] = None,
    since: Annotated[Optional[str], typer.Option(help="From this date or time.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Before this date or time.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many, newest first (0: all).")] = 50,
    fmt: FormatOpt = None, lang: LangOpt = None,
):
    """List audit entries, newest first.

    Example: cgov audit log --action 'case.*' --since 2026-11-16"""
    from cgov.core import audit, clock
    from cgov.core.output import Col, render_list

    o = cmd.out(ctx, fmt, lang)
    with cmd.reading(ctx) as s:
        rows = audit.entries(s, action=action, actor=actor, record_id=record,
                             since=clock.parse_at(since, "--since") if since else None,
                             until=clock.parse_at(until, "--until") if until else None,
                             limit=limit + 1 if limit else None)
    if limit and len(rows) > limit:
        # Said on stderr, so a script reading stdout still gets clean output.
        rows = rows[:limit]
        typer.echo(i18n.t(f"note: the newest {limit} entries shown; --limit 0 shows all",
                          f"提示：仅显示最新的{limit}条；--limit 0 显示全部", o.lang), err=True)
    # Shortened for reading at a terminal; json and csv, read by programs
    # and spreadsheets, keep every id, the whole detail and the whole hash.
    whole = o.fmt in ("json", "csv")
    for r in rows:
        if o.fmt == "csv":
            r["ids"], r["detail"] = ", ".join(r["ids"]), _short_detail(r["detail"], whole=True)
        elif not whole:
            r["ids"], r["detail"], r["hash"] = _short(r["ids"]), _short_detail(r["detail"]), r["hash"][:12]
    render_list(rows, [Col("seq", "#", "序号"), Col("at", "At", "时间"), Col("actor", "Actor", "操作人"),
                       Col("action", "Action", "操作"), Col("ids", "Records", "记录"),
                       Col("detail", "Detail", "详情"), Col("hash", "Hash", "哈希")], o)


def _short(ids: list) -> str:
    return ", ".join(ids[:5]) + (f" (+{len(ids) - 5})" if len(ids) > 5 else "")


def _short_detail(d: dict, whole: bool = False) -> str:
    import json

    text = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
    return text if whole or len(text) <= 80 else text[:77] + "..."


@audit_app.command("verify")
def verify(ctx: typer.Context, anchor: Annotated[Optional[str], typer.Option(
        help="A head hash published earlier: it must still be in the chain.")] = None,
        lang: LangOpt = None):
    """Re-walk the hash chain, recompute the hash of every sealed record
    (published minutes and addenda, case closes and ratings, access-list
    decisions) and name the first entry that does not match; exit 1 then.

    Example: cgov audit verify --anchor 3f9c2a…  (the head printed in last week's report)"""
    from cgov.core import audit
    from cgov.core.errors import CgovError

    o = cmd.out(ctx, None, lang)
    t = partial(i18n.t, lang=o.lang)
    with cmd.reading(ctx) as s:
        result = audit.verify(s, anchor=anchor)
    if not result["ok"]:
        raise CgovError(result["problem"])
    n = result["unchecked"]
    older = t(f" ({n} older seals in a form that cannot be recomputed)", f"（另有{n}个早期封记无法重算）") if n else ""
    typer.echo(t(f"audit chain intact: {result['entries']} entries, {result['checked']} sealed records "
                 f"match their hashes{older}, head {result['head']}",
                 f"审计链完好：共{result['entries']}条，{result['checked']}个封存记录与哈希一致{older}，"
                 f"链头 {result['head']}"))
    if result["renewed"]:
        # An import that rewrote sealed records renewed their seals: lawful
        # through cgov, and worth a look after an anchor was published.
        typer.echo(t(f"{result['renewed']} seals were renewed by imports that rewrote their records: "
                     "cgov audit log --action '*.reseal'",
                     f"{result['renewed']}个封记因导入改写记录而更新：cgov audit log --action '*.reseal'"))
