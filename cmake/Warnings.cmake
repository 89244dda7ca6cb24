# Warning flags from STYLE.md (mostly ccache's DevModeWarnings). CBUILD_WERROR
# makes them errors; CI turns it on, so a newer compiler never blocks a laptop.
# -Wnull-dereference is left out: g++ 12 reports it inside libstdc++'s
# std::string wherever that is inlined into CLI11 or our own code at -O2, a
# false positive that would bury real warnings.
add_compile_options(
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual)
if(CBUILD_WERROR)
  add_compile_options(-Werror)
endif()
