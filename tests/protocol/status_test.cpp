#include "protocol/status.hpp"

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

// Names are the specification's, so logs can be grepped against CT-1.
TEST(Status, namesAreTheSpecificationNames) {
    EXPECT_EQ(to_string(Status::ok), "OK");
    EXPECT_EQ(to_string(Status::ok_already), "OK_ALREADY");
    EXPECT_EQ(to_string(Status::version_mismatch), "VERSION_MISMATCH");
    EXPECT_EQ(to_string(Status::busy), "BUSY");
    EXPECT_EQ(raw(Status::busy), 10);
    EXPECT_EQ(to_string(Opcode::full_bitmap_chunk), "FULL_BITMAP_CHUNK");
    EXPECT_EQ(raw(Opcode::set_clock), 0x21);
}

// A value off the wire that CT-1 does not define stays representable and says so.
TEST(Status, unknownValuesAreNamedUnknown) {
    EXPECT_FALSE(is_known(static_cast<Status>(11)));
    EXPECT_EQ(to_string(static_cast<Status>(11)), "UNKNOWN");
    EXPECT_TRUE(is_known(Status::incomplete));
    EXPECT_FALSE(is_known(static_cast<Opcode>(0x0003)));
    EXPECT_EQ(to_string(static_cast<Opcode>(0x0000)), "UNKNOWN");
    EXPECT_TRUE(is_known(Opcode::records_ack));
}

}  // namespace
}  // namespace cardd::protocol
