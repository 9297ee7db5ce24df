import { Case, refusals } from "../../support/config";
import { minioConfig } from "../../support/stacks";

const invalid: Case[] = [
    ["noncurrentVersionDays with manage false", minioConfig, (c) => { c.storage.manage = false; c.backup = { noncurrentVersionDays: 90 }; }, "backup.noncurrentVersionDays", /sets the lifecycle rule the stack declares, and storage\.manage: false declares none; the bucket's own rules are checked against backup\.ttl instead/],
    ["a six-field cron schedule", minioConfig, (c) => (c.backup = { schedule: "0 0 3 * * 0" }), "backup.schedule", /must be a 5-field cron expression/],
    ["a cron schedule out of range, with the parser's reason", minioConfig, (c) => (c.backup = { schedule: "0 25 * * *" }), "backup.schedule", /= "0 25 \* \* \*": hour 25 is outside 0-23$/],
    ["a cron schedule with two fields out of range, both named", minioConfig, (c) => (c.backup = { schedule: "61 25 * * *" }), "backup.schedule", /^hopsworks-dr:backup\.schedule = "61 25 \* \* \*": minute 61 is outside 0-59; hour 25 is outside 0-23$/],
    ["a schedule that is not a string", minioConfig, (c) => (c.backup = { schedule: 7 }), "backup.schedule", /= 7: must be a string \(must be a 5-field cron expression/],
    ["an unknown macro", minioConfig, (c) => (c.backup = { schedule: "@fortnightly" }), "backup.schedule", /one of @yearly, @annually/],
    ["a ttl in weeks", minioConfig, (c) => (c.backup = { ttl: "8w" }), "backup.ttl", /"8w": must be a whole number of days or hours/],
    ["a ttl of zero", minioConfig, (c) => (c.backup = { ttl: "0d" }), "backup.ttl", /must be a whole number of days or hours/],
    ["a ttl shorter than the schedule's interval (each backup expires before the next)", minioConfig, (c) => (c.backup = { schedule: "@weekly", ttl: "1h" }), "backup.ttl", /^hopsworks-dr:backup\.ttl = "1h": must be at least the longest interval between two scheduled backups \(7d, backup\.schedule "@weekly"\): each backup would expire before the next one is taken/],
    ["a ttl shorter than a monthly schedule's longest interval (31 days)", minioConfig, (c) => (c.backup = { schedule: "@monthly", ttl: "30d" }), "backup.ttl", /= "30d": must be at least the longest interval between two scheduled backups \(31d, backup\.schedule "@monthly"\)/],
    ["a ttl shorter than the weekend gap of a weekday schedule", minioConfig, (c) => (c.backup = { schedule: "0 3 * * 1-5", ttl: "48h" }), "backup.ttl", /= "48h": must be at least the longest interval between two scheduled backups \(3d, backup\.schedule "0 3 \* \* 1-5"\)/],
    ["a ttl of more than 10 years", minioConfig, (c) => (c.backup = { ttl: "3651d" }), "backup.ttl", /^hopsworks-dr:backup\.ttl = "3651d": must be at most 3650 days \("3650d" or "87600h"\)/],
    ["a ttl in hours of more than 10 years", minioConfig, (c) => (c.backup = { ttl: "87601h" }), "backup.ttl", /= "87601h": must be at most 3650 days/],
    ["a ttl beyond a Go duration (Velero's ttl)", minioConfig, (c) => (c.backup = { ttl: "99999999999999999999d" }), "backup.ttl", /must be at most 3650 days/],
    ["noncurrentVersionDays beyond the S3 API's 32-bit integer", minioConfig, (c) => (c.backup = { noncurrentVersionDays: 2147483648 }), "backup.noncurrentVersionDays", /= 2147483648: must be at most 2147483647/],
    ["noncurrent versions kept shorter than the ttl", minioConfig, (c) => (c.backup = { ttl: "60d", noncurrentVersionDays: 30 }), "backup.noncurrentVersionDays", /= 30: must be at least the backup ttl in days \(60/],
    ["noncurrent versions shorter than a ttl in hours", minioConfig, (c) => (c.backup = { ttl: "721h", noncurrentVersionDays: 30 }), "backup.noncurrentVersionDays", /at least the backup ttl in days \(31/],
    ["noncurrentVersionDays that is not a number", minioConfig, (c) => (c.backup = { noncurrentVersionDays: "many" }), "backup.noncurrentVersionDays", /must be a whole number of at least 1/],
];

describe("backup config (stacks/config/backup.ts)", () => {
    refusals(invalid);
});
