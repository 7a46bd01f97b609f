/** Said beside every box where a reflection is written: the prompts ask about patients. */
export const NO_PATIENT_DETAILS =
  "Leave out names, room numbers and anything else that could identify a patient: your reflection is about your practice, and a patient's details are theirs to keep private, even in your own notes.";
