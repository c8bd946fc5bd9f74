#include "encoder/libusb_transport.hpp"
