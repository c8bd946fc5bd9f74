# cmake -DSCDOC=scdoc -DINPUT=page.scd -DOUTPUT=page.N -P scdoc.cmake
# scdoc reads standard input and writes standard output; a page it refuses
# leaves no output behind, so the next build tries again.
get_filename_component(directory ${OUTPUT} DIRECTORY)
file(MAKE_DIRECTORY ${directory})
execute_process(COMMAND ${SCDOC} INPUT_FILE ${INPUT} OUTPUT_FILE ${OUTPUT} ERROR_VARIABLE error RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE ${OUTPUT})
  message(FATAL_ERROR "scdoc ${INPUT}: ${error}")
endif()
