#pragma once
// The control channel's named commands. One catch at the boundary turns an
// exception into an answer, so a handler only returns what it means.

#include "daemon/async/asio.hpp"
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

#include "daemon/control/answer.hpp"
#include "daemon/control/roles.hpp"

namespace cardd::daemon {

struct Caller {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::optional<Role> role;  ///< none: the caller is in no cardd group
};

/// Sends one progress line on the request's connection.
using ProgressSink = std::function<boost::asio::awaitable<void>(nlohmann::json progress)>;

struct Request {
    std::string command;
    nlohmann::json arguments = nlohmann::json::object();
    Caller caller;
    ProgressSink progress;
};

using Handler = std::function<boost::asio::awaitable<Answer>(Request&)>;

class CommandRegistry {
public:
    /// Registers `name`, callable by `least` and stronger roles.
    void add(std::string name, Role least, Handler handler);

    /// Runs the request: unknown command → unsupported, role too weak →
    /// denied, BadArgument → invalid, any other exception → error.
    boost::asio::awaitable<Answer> dispatch(Request& request) const;

    std::vector<std::string> names() const;

private:
    struct Entry {
        Role least;
        Handler handler;
    };
    std::map<std::string, Entry, std::less<>> commands_;
};

}  // namespace cardd::daemon
