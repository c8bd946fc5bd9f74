# Writes a C++ file holding each file of the console's www/ folder as a
# string, keyed by the path it is served at. Run by CMake at build time:
#   cmake -DWWW=dir -DOUT=file.cpp -P assets.cmake
file(GLOB_RECURSE files RELATIVE ${WWW} ${WWW}/*)
list(SORT files)
set(body "")
set(index 0)
foreach(name IN LISTS files)
  file(READ ${WWW}/${name} content HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," content "${content}")
  string(APPEND body "const char file_${index}[] = {${content} 0};\n")
  if(name STREQUAL "index.html")
    set(served "/")
  else()
    set(served "/static/${name}")
  endif()
  string(APPEND entries "        {\"${served}\", std::string_view(file_${index}, sizeof file_${index} - 1)},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from tools/console/www by assets.cmake; do not edit.
#include \"tools/console/assets.hpp\"

namespace cardd::console {

namespace {
${body}
}  // namespace

const std::map<std::string_view, std::string_view>& assets() {
    static const std::map<std::string_view, std::string_view> files = {
${entries}    };
    return files;
}

}  // namespace cardd::console
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
