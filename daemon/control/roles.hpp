#pragma once
// Who may do what: callers are told apart by their uid and groups (SO_PEERCRED).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace cardd::daemon {

enum class Role { viewer = 0, issuer = 1, admin = 2 };
std::string_view to_string(Role role) noexcept;

struct RoleGroups {
    std::string admin;
    std::string issuer;
    std::string viewer;
};

/// The strongest role the user's groups give, or nothing. uid 0 is admin.
std::optional<Role> role_of(uid_t uid, gid_t gid, const RoleGroups& groups);

}  // namespace cardd::daemon
