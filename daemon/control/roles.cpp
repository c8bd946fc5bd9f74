#include "daemon/control/roles.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <charconv>
#include <vector>

namespace cardd::daemon {

std::optional<Peer> peer_of(int socket) {
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (::getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 || size != sizeof(credentials))
        return std::nullopt;
    return Peer{credentials.uid, credentials.gid, credentials.pid};
}

std::string_view to_string(Role role) noexcept {
    switch (role) {
        case Role::viewer: return "viewer";
        case Role::issuer: return "issuer";
        case Role::admin: return "admin";
    }
    return "?";
}

Role role_of(store::AccountRole role) noexcept {
    switch (role) {
        case store::AccountRole::viewer: return Role::viewer;
        case store::AccountRole::issuer: return Role::issuer;
        case store::AccountRole::admin: return Role::admin;
    }
    return Role::viewer;
}

namespace {

std::optional<gid_t> group_id(const std::string& name) {
    if (name.empty()) return std::nullopt;
    std::vector<char> buffer(16384);
    group entry{};
    group* found = nullptr;
    if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return std::nullopt;
    return found->gr_gid;
}

// The user's supplementary groups as the system knows them now, so adding
// someone to cardd-issuer takes effect on their next request.
std::vector<gid_t> groups_of(uid_t uid, gid_t gid) {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return {gid};
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));
        if (getgrouplist(found->pw_name, gid, groups.data(), &count) < 0) return {gid};
    }
    groups.resize(static_cast<std::size_t>(count));
    return groups;
}

}  // namespace

std::optional<Role> role_of(uid_t uid, gid_t gid, const RoleGroups& names) {
    if (uid == 0) return Role::admin;
    const std::vector<gid_t> groups = groups_of(uid, gid);
    const auto member = [&](const std::string& name) {
        const auto id = group_id(name);
        if (!id) return false;
        for (gid_t g : groups) {
            if (g == *id) return true;
        }
        return gid == *id;
    };
    if (member(names.admin)) return Role::admin;
    if (member(names.issuer)) return Role::issuer;
    if (member(names.viewer)) return Role::viewer;
    return std::nullopt;
}

std::optional<uid_t> console_uid_of(const std::string& user) {
    if (user.empty()) return std::nullopt;
    uid_t uid = 0;
    const auto [end, ec] = std::from_chars(user.data(), user.data() + user.size(), uid);
    if (ec != std::errc{} || end != user.data() + user.size()) {
        std::vector<char> buffer(16384);
        passwd entry{};
        passwd* found = nullptr;
        if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return std::nullopt;
        uid = found->pw_uid;
    }
    // Root's own requests are admin by SO_PEERCRED; it is never the console.
    if (uid == 0) return std::nullopt;
    return uid;
}

}  // namespace cardd::daemon
