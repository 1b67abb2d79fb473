/** Dummy credentials and region so the SDK never looks for real ones; imported first by the bench. */
Object.assign(process.env, {
  AWS_REGION: process.env.AWS_REGION ?? 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
