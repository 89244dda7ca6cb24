# Tests of the layers area of core (see core/sources-layers.cmake).
target_sources(core_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/async_output_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compression_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layer_apply_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layer_writer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/path_util_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/root_path_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar_reader_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tar_writer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/whiteout_test.cpp
)
