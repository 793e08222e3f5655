-- Reserved: issue 17 adds its own 0012 migration (arahan) on another branch. This file only
-- keeps the numbering of this branch without a gap; drop it when that branch is merged.
SELECT 1;
