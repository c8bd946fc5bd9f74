// store-backup.

#include "daemon/commands/backup.hpp"

#include "daemon/async/asio.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"
#include "store/sqlite_backup.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

BackupArgs parse_store_backup(const json& a) {
    args::only(a, {"path"});
    std::string path = args::required_string(a, "path");
    // Refused here, before anything is touched: cardd's working directory is
    // not the caller's, so a relative path would land where nobody expects.
    if (path.empty() || path.front() != '/') {
        throw BadArgument("'path' must be an absolute path (cardd writes the file, as its own user): '" + path + "'");
    }
    return {std::move(path)};
}

namespace {

Answer refused(const std::filesystem::path& path, Answer answer) {
    log_event(msg::store_backup_failed, {{"file", path.string()}, {"error", answer.text}});
    return answer;
}

}  // namespace

awaitable<Answer> store_backup(Service& service, Request&, const BackupArgs& arguments) {
    if (!service.sqlite_file) {
        co_return Answer::failure(
            ResultCode::unsupported,
            "this store is on MariaDB, which cardd does not copy: back it up with the server's own tools, "
            "`mariadb-dump --single-transaction --routines DATABASE > FILE` or `mariabackup --backup "
            "--target-dir=DIR` (docs/store.md, \"Backup and restore\")");
    }
    auto started = store::SqliteBackup::start(*service.sqlite_file, arguments.path);
    if (!started) co_return refused(arguments.path, from_error(std::move(started.error())));
    store::SqliteBackup& backup = **started;
    // A few pages at a time, each step a turn of the io_context: requests
    // that arrive meanwhile are served between steps.
    const auto executor = co_await boost::asio::this_coro::executor;
    for (;;) {
        auto stepped = backup.step(backup_pages_per_step);
        if (!stepped) co_return refused(arguments.path, from_error(std::move(stepped.error())));
        if (*stepped) break;
        co_await boost::asio::post(executor, boost::asio::use_awaitable);
    }
    const int pages = backup.page_count();
    if (auto finished = backup.finish(); !finished) {
        co_return refused(arguments.path, from_error(std::move(finished.error())));
    }

    auto checked = store::check_sqlite_copy(arguments.path);
    if (!checked) {
        co_return refused(arguments.path,
                          Answer::failure(ResultCode::error, "the backup " + arguments.path.string() +
                                                                 " was written but cannot be checked: " +
                                                                 checked.error().message + "; do not rely on it"));
    }
    const store::CopyCheck& check = *checked;
    json details = {{"path", arguments.path.string()},
                    {"size", check.size},
                    {"pages", pages},
                    {"schema_version", check.schema_version},
                    {"integrity", check.integrity},
                    {"invariants", check.violations},
                    {"verified", check.good()}};
    if (!check.good()) {
        Answer answer = Answer::failure(ResultCode::error,
                                        "the backup " + arguments.path.string() +
                                            " was written but fails its check (integrity: " + check.integrity + ", " +
                                            std::to_string(check.violations.size()) +
                                            " invariant violations); it is kept for inspection: do not restore it");
        answer.arguments = std::move(details);
        co_return refused(arguments.path, std::move(answer));
    }
    log_event(msg::store_backup, {{"file", arguments.path.string()},
                                  {"size", static_cast<std::int64_t>(check.size)},
                                  {"pages", pages},
                                  {"schema", check.schema_version}});
    co_return Answer::ok("backup written to " + arguments.path.string() + ": " + std::to_string(check.size) +
                             " bytes, " + std::to_string(pages) + " pages, schema version " +
                             std::to_string(check.schema_version) + ", integrity ok, invariants hold",
                         std::move(details));
}

}  // namespace cardd::daemon
