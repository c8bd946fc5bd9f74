// Prints docs/protocol.md's example frames, computed by the real code, as
// "name: HEX" lines to paste into its ```frames blocks.

#include <cstdio>

#include "tests/termsim/doc_frames.hpp"

int main() {
    for (const auto& frame : cardd::termsim::test::doc_frames()) {
        std::printf("%s: %s\n", frame.name.c_str(), cardd::termsim::test::hex(frame.bytes).c_str());
    }
}
