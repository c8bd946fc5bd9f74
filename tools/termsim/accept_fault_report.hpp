#pragma once
// What card-termsim says on standard error when its listeners cannot accept:
// one line when a fault begins and one when every listener that met it has
// emptied its backlog again, for the whole process. A thousand terminals out
// of descriptors together are one fault, said once, not a thousand lines; a
// listener that takes a few connections as some close and then runs out
// again is still in the same fault.

#include <set>
#include <string_view>

namespace cardd::termsim {

class AcceptFaultReport {
public:
    /// accept4 failed on `listener` (named `where`, e.g. "port 1502") with
    /// `error`. Says so unless the process is already in that fault.
    void failed(const void* listener, int error, std::string_view where);
    /// `listener` has accepted all that waited. Says the fault is over once
    /// no listener is in it.
    void caught_up(const void* listener);

    bool in_fault() const noexcept { return fault_ != 0; }

private:
    int fault_ = 0;  // the errno last said, 0 while all listeners accept
    std::set<const void*> failing_;
};

}  // namespace cardd::termsim
