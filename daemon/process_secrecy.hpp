#pragma once
// What other processes on the box may see of cardd: a database password
// given on the command line is overwritten in argv, so `ps` and
// /proc/PID/cmdline show x's in its place (as the mysql client does with
// -p), and no core dump is written, since one would hold the master key
// and the card keys derived from it.

namespace cardd::daemon {

/// Overwrites, in place, the password of every URL in argv
/// (scheme://user:PASSWORD@host...) with 'x'. What is left still tells an
/// operator which database cardd was given.
void hide_url_passwords(int argc, char** argv) noexcept;

/// A core size limit of 0 and PR_SET_DUMPABLE 0 (which also keeps other
/// processes of cardd's uid from reading its memory through ptrace or
/// /proc/PID/mem). A sanitizer build stays dumpable: LeakSanitizer stops the
/// process's threads with ptrace, which a non-dumpable process refuses.
void forbid_core_dumps() noexcept;

}  // namespace cardd::daemon
