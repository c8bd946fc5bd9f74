#include "encoder/mifare_reader.hpp"
