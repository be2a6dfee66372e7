/**
 * How gen-gitops's own commits are recognised: their subject starts with this
 * (templates/commit-message.hbs writes it, LocalConfigRepo.manuallyEdited reads
 * it). A generated file whose latest commit lacks it was edited by hand, so
 * both ends must agree on one string.
 */
export const COMMIT_SUBJECT_PREFIX = 'gen-gitops:';
