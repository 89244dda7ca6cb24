# core, "formats" area tests.
target_sources(core_test PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/content_store_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/oci_types_test.cpp
)
