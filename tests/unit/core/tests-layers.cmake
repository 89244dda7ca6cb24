# Tests of the layers area of core (see core/sources-layers.cmake).
target_sources(core_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/compression_test.cpp
)
