#pragma once
// Who may do what: callers are told apart by their uid and groups (SO_PEERCRED).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "store/domain.hpp"

namespace cardd::daemon {

enum class Role { viewer = 0, issuer = 1, admin = 2 };
std::string_view to_string(Role role) noexcept;

struct RoleGroups {
    std::string admin;
    std::string issuer;
    std::string viewer;
};

/// Who is at the other end of a Unix socket, as the kernel says (SO_PEERCRED).
struct Peer {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
};
/// Nothing when the kernel cannot say (not a Unix socket, the call failed):
/// such a caller is refused before a line is read, so no request ever runs
/// as a uid nobody proved.
std::optional<Peer> peer_of(int socket);

/// The role a console account is given.
Role role_of(store::AccountRole role) noexcept;

/// The strongest role the user's groups give, or nothing. uid 0 is admin.
std::optional<Role> role_of(uid_t uid, gid_t gid, const RoleGroups& groups);

/// The uid of the staff console's user: `user` is a user name or a numeric
/// uid. Nothing when the name is empty or no such user exists (then no
/// console is allowed), or for root, which is never the console.
std::optional<uid_t> console_uid_of(const std::string& user);

}  // namespace cardd::daemon
