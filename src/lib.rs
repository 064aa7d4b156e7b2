pub mod cameras;
pub mod capture;
pub mod city;
pub mod document;
pub mod headless;
pub mod viewport;
