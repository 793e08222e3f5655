-- Reserved: issue 16's follow-up adds its own 0011 migration on another branch. This file only
-- keeps the numbering of this branch without a gap; drop it when that branch is merged.
SELECT 1;
