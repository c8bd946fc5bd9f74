#pragma once
// Aligned text columns for a terminal, counting display width (a Chinese
// character takes two columns), so 张三 lines up with Li.

#include <cstddef>
#include <string>
#include <vector>

namespace cardd::cardctl {

enum class Align { left, right };

class Table {
public:
    /// `headers` may be empty (a key-value list); `align` defaults to left for every column.
    explicit Table(std::vector<std::string> headers, std::vector<Align> align = {});

    /// A row; missing cells are empty, extra cells are dropped. Control
    /// characters in a cell become spaces so they cannot break the layout.
    void add_row(std::vector<std::string> cells);

    bool empty() const noexcept { return rows_.empty(); }

    /// Header and rows, columns two spaces apart, no trailing spaces, each line ending in '\n'.
    std::string str() const;

private:
    std::vector<std::string> headers_;
    std::vector<Align> align_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace cardd::cardctl
