#include "encoder/ccid_reader.hpp"
