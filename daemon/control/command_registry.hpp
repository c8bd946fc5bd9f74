#pragma once
// The control channel's named commands. One catch at the boundary turns an
// exception into an answer, so a handler only returns what it means.

#include "daemon/async/asio.hpp"
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "daemon/control/answer.hpp"
#include "daemon/control/roles.hpp"

namespace cardd::daemon {

struct Caller {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    /// From the uid's groups, or from the account of a console session;
    /// none: in no cardd group, or the console's user without a session.
    std::optional<Role> role;
    bool console = false;                ///< the uid is the staff console's (console_user)
    std::optional<std::string> account;  ///< the console account the request's session stands for
};

/// Sends one progress line on the request's connection.
using ProgressSink = std::function<boost::asio::awaitable<void>(nlohmann::json progress)>;

struct Request {
    std::string command;
    nlohmann::json arguments = nlohmann::json::object();
    /// The console session's token the line carried ("session"), never logged.
    std::optional<std::string> session;
    Caller caller;
    ProgressSink progress;
};

/// A request whose arguments are read, ready to run.
using Handler = std::function<boost::asio::awaitable<Answer>(Request&)>;

/// Reads a command's arguments into its struct; throws BadArgument (result 6).
template <class Args>
using ArgumentParser = Args (*)(const nlohmann::json& arguments);

/// A command's body: it gets the arguments already read.
template <class Args>
using TypedHandler = std::function<boost::asio::awaitable<Answer>(Request&, const Args&)>;

/// Hears of each answered request: the command's registered name ("unknown"
/// for a name no command has, so a client cannot make up label values) and
/// the result code. The metrics count requests through it.
using DispatchObserver = std::function<void(std::string_view command, ResultCode result)>;

class CommandRegistry {
public:
    /// Registers `name`, callable by `least` and stronger roles: `parse`
    /// reads the request's arguments before `handler` runs, so a bad
    /// argument is refused before anything is done.
    template <class Args>
    void add(std::string name, Role least, ArgumentParser<Args> parse, TypedHandler<Args> handler) {
        add_entry(std::move(name), least, false, prepare(parse, std::move(handler)));
    }

    /// Registers the login of the staff console: callable by the console's
    /// user only (Caller::console), which has no role of its own and no
    /// session yet. Anyone else is denied.
    template <class Args>
    void add_login(std::string name, ArgumentParser<Args> parse, TypedHandler<Args> handler) {
        add_entry(std::move(name), Role::admin, true, prepare(parse, std::move(handler)));
    }

    /// Whether `name` is a command registered with add_login.
    bool logs_in(std::string_view name) const;

    /// Runs the request: unknown command → unsupported, role too weak →
    /// denied, BadArgument (from the parser or the body) → invalid, any
    /// other exception → error.
    boost::asio::awaitable<Answer> dispatch(Request& request) const;

    /// Every command with the least role it needs: "viewer", "issuer",
    /// "admin", or "console" for the console's login (its user only).
    std::vector<std::pair<std::string, std::string>> least_roles() const;

    /// Sets who hears of each answered request (one observer; none by default).
    void observe(DispatchObserver observer) { observer_ = std::move(observer); }

private:
    boost::asio::awaitable<Answer> respond(Request& request) const;

    /// Reads the arguments (may throw BadArgument) and gives what runs the body.
    using Prepare = std::function<Handler(const nlohmann::json& arguments)>;
    void add_entry(std::string name, Role least, bool login, Prepare prepare);

    template <class Args>
    static Prepare prepare(ArgumentParser<Args> parse, TypedHandler<Args> handler) {
        return [parse, handler = std::move(handler)](const nlohmann::json& arguments) -> Handler {
            return [handler, parsed = parse(arguments)](Request& request) { return handler(request, parsed); };
        };
    }

    struct Entry {
        Role least;
        bool login = false;  ///< the console's login: its user only, whatever its role
        Prepare prepare;
    };
    std::map<std::string, Entry, std::less<>> commands_;
    DispatchObserver observer_;
};

}  // namespace cardd::daemon
