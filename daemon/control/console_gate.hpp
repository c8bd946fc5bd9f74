#pragma once
// Who a request from the staff console speaks for. The console (cardd-console)
// is one process under one uid (console_user in cardd.conf) serving many
// people: its uid has no role of its own, and each of its requests but the
// login carries the session of the account it acts for, whose role it then
// has. A session on a request from any other uid is refused, so a token
// taken from the console is of no use elsewhere.

#include <sys/types.h>

#include <functional>
#include <optional>

#include "daemon/control/answer.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/control/roles.hpp"
#include "daemon/control/sessions.hpp"
#include "store/error.hpp"

namespace cardd::daemon {

/// The role of a session's account while it may still act; nothing once it
/// may not (removed, disabled, or its password changed after the login).
using AccountCheck = std::function<store::Result<std::optional<Role>>(const Session& session)>;

class ConsoleGate {
public:
    ConsoleGate(Sessions& sessions, AccountCheck check) : sessions_(sessions), check_(std::move(check)) {}

    /// The console's uid (none: no console is allowed); changed at a reload.
    void set_console_uid(std::optional<uid_t> uid) { console_uid_ = uid; }
    std::optional<uid_t> console_uid() const noexcept { return console_uid_; }

    /// Before `request` is dispatched: marks a request from the console's uid
    /// and gives it its session's account and role. `logs_in`: the command
    /// is the console's login, which needs no session. Returns the answer to
    /// send instead when the request is refused (result 5; `arguments`
    /// {"session": "missing"} or {"session": "expired"} when the console
    /// must log in again).
    std::optional<Answer> admit(Request& request, bool logs_in);

private:
    Sessions& sessions_;
    AccountCheck check_;
    std::optional<uid_t> console_uid_;
};

}  // namespace cardd::daemon
