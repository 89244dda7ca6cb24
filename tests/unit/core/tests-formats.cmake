# core, "formats" area tests.
target_sources(core_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/content_store_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_types_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_layout_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/docker_archive_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/archive_index_test.cpp
)
