import type { Admin, AdminConfig, Kafka } from "kafkajs";

/** Runs `use` with a connected admin client, disconnected after whatever `use` does. */
export async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>, config?: AdminConfig): Promise<T> {
  const admin = kafka.admin(config);
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
