/** The id of the model trained on the synthetic scenes (models/scenes): the ground truth of `npm run eval`. */
export const SCENES_MODEL_ID = 'compact-efficientnet';
