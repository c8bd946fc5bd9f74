// Coverage bridge between GCC instrumentation and libFuzzer.
//
// The fuzzers are built with g++ (see CMakeLists.txt for why), whose
// -fsanitize-coverage=trace-pc calls __sanitizer_cov_trace_pc() in every basic
// block. libFuzzer reads coverage from inline 8-bit counters instead, and its
// own definition of this function only aborts ("no longer supported"); the
// build weakens that definition with objcopy so this one is used. Each block's
// return address is hashed onto one counter. Compiled without instrumentation,
// or it would call itself.

#include <cstddef>
#include <cstdint>

extern "C" void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end);

namespace {

constexpr std::size_t counter_bits = 16;
alignas(64) std::uint8_t counters[std::size_t{1} << counter_bits];

__attribute__((constructor(101))) void register_counters() {
    __sanitizer_cov_8bit_counters_init(counters, counters + sizeof counters);
}

}  // namespace

extern "C" __attribute__((no_sanitize("address", "undefined"))) void __sanitizer_cov_trace_pc() {
    auto pc = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    pc ^= pc >> counter_bits;
    ++counters[pc & ((std::uintptr_t{1} << counter_bits) - 1)];
}

// GCC's trace-cmp also reports floating-point comparisons; libFuzzer has no
// hooks for them, and there is nothing to learn from them here.
extern "C" void __sanitizer_cov_trace_cmpf(float, float) {}
extern "C" void __sanitizer_cov_trace_cmpd(double, double) {}
